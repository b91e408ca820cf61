# SPDX-License-Identifier: GPL-3.0-or-later
"""The potrace algorithm (Selinger 2003), the default tracing engine.

Curve fitting uses the stages of ``potracer`` (a pure-Python port of potrace
1.16, GPL-2.0-or-later, bundled as a wheel). The two stages that dominate its
run time are replaced here by equivalent ones that are fast in Python:

* path decomposition resumes the pixel scan where the last path started
  (potracer rescans the whole bitmap for every path: O(paths x pixels));
* the straight-subpath search (``calc_lon``, about two thirds of potracer's
  time) runs for every point of every path at once, in numpy.

Both give exactly potracer's results; the tests compare them. potracer reads
the array's first row as y = 0 where C potrace puts the bitmap's bottom row, so
:func:`trace_loops` traces the image upside down and flips the result back:
then the paths, the ambiguous-turn choices and the curves are C potrace's own.
Coordinates: x = column, y = row, on pixel corners (y points down the image).
"""

from __future__ import annotations

import numpy as np

from ..errors import ImageToPrintError

TURN_POLICIES = ("black", "white", "left", "right", "minority", "majority", "random")


def _module():
    try:
        from potrace import potrace as module  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - the wheel ships with the extension
        raise ImageToPrintError("the potrace engine needs the 'potracer' package") from exc
    return module


def decompose(ink: np.ndarray, turdsize: int, turnpolicy: int) -> list:
    """potracer's ``bm_to_pathlist`` with a scan that resumes where it stopped."""
    p = _module()
    bm = np.pad(ink.astype(bool), [(0, 1), (0, 1)], mode="constant")
    original = bm.copy()
    paths = []
    y = bm.shape[0] - 1
    while y >= 0:
        row = np.flatnonzero(bm[y])
        if row.size == 0:
            y -= 1
            continue
        x = int(row[0])
        path = p.findpath(bm, x, y + 1, bool(original[y, x]), turnpolicy)
        p.xor_path(bm, path)
        if path.area > turdsize:
            paths.append(path)
    return paths


def _cyclic(a, b, c):
    """a <= b < c cyclically (elementwise)."""
    return np.where(a <= c, (a <= b) & (b < c), (a <= b) | (b < c))


def _next_corners(xs: list, ys: list) -> list:
    n = len(xs)
    nc = [0] * n
    k = 0
    for i in range(n - 1, -1, -1):
        if xs[i] != xs[k] and ys[i] != ys[k]:
            k = i + 1
        nc[i] = k
    return nc


def calc_lon(paths: list) -> None:
    """Fill ``_lon`` of every path (potrace's straight-subpath search), all paths at once."""
    if not paths:
        return
    lengths = np.array([len(pp.pt) for pp in paths], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    xs_all, ys_all, nc_all = [], [], []
    for pp in paths:
        xs = [q.x for q in pp.pt]
        ys = [q.y for q in pp.pt]
        xs_all.extend(xs)
        ys_all.extend(ys)
        nc_all.extend(_next_corners(xs, ys))
    X = np.array(xs_all, dtype=np.int64)
    Y = np.array(ys_all, dtype=np.int64)
    NC = np.array(nc_all, dtype=np.int64)
    total = X.size
    path_of = np.repeat(np.arange(len(paths)), lengths)
    base = starts[path_of]
    n = lengths[path_of]
    i = np.arange(total) - base  # local index of every point

    def g(local, idx):  # global index of a local index, per active point
        return base[idx] + local

    # state per point
    ct = np.zeros((total, 4), dtype=np.int64)
    nxt = (i + 1) % n
    d0 = (3 + 3 * (X[base + nxt] - X) + (Y[base + nxt] - Y)) // 2
    ct[np.arange(total), d0] += 1
    c0x = np.zeros(total, np.int64)
    c0y = np.zeros(total, np.int64)
    c1x = np.zeros(total, np.int64)
    c1y = np.zeros(total, np.int64)
    k = NC.copy()
    k1 = i.copy()
    pivk = np.full(total, -1, dtype=np.int64)
    viol = np.zeros(total, bool)  # finished by a constraint violation (needs the final step)
    active = np.arange(total)
    while active.size:
        a = active
        ka, k1a = k[a], k1[a]
        gk, gk1 = g(ka, a), g(k1a, a)
        d = (3 + 3 * np.sign(X[gk] - X[gk1]) + np.sign(Y[gk] - Y[gk1])) // 2
        ct[a, d] += 1
        four = (ct[a] > 0).all(axis=1)
        pivk[a[four]] = k1a[four]
        keep = ~four
        a, ka, k1a, gk = a[keep], ka[keep], k1a[keep], gk[keep]
        curx = X[gk] - X[a]
        cury = Y[gk] - Y[a]
        bad = (c0x[a] * cury - c0y[a] * curx < 0) | (c1x[a] * cury - c1y[a] * curx > 0)
        viol[a[bad]] = True
        ok = ~bad
        a, ka, curx, cury = a[ok], ka[ok], curx[ok], cury[ok]
        upd = ~((np.abs(curx) <= 1) & (np.abs(cury) <= 1))
        u, ux, uy = a[upd], curx[upd], cury[upd]
        offx = ux + np.where((uy >= 0) & ((uy > 0) | (ux < 0)), 1, -1)
        offy = uy + np.where((ux <= 0) & ((ux < 0) | (uy < 0)), 1, -1)
        take = c0x[u] * offy - c0y[u] * offx >= 0
        c0x[u[take]] = offx[take]
        c0y[u[take]] = offy[take]
        offx = ux + np.where((uy <= 0) & ((uy < 0) | (ux < 0)), 1, -1)
        offy = uy + np.where((ux >= 0) & ((ux > 0) | (uy < 0)), 1, -1)
        take = c1x[u] * offy - c1y[u] * offx <= 0
        c1x[u[take]] = offx[take]
        c1y[u[take]] = offy[take]
        k1[a] = ka
        knew = NC[g(ka, a)]
        k[a] = knew
        stop = ~_cyclic(knew, i[a], ka)
        viol[a[stop]] = True
        active = a[~stop]

    v = np.flatnonzero(viol)
    if v.size:
        kv, k1v = g(k[v], v), g(k1[v], v)
        dkx = np.sign(X[kv] - X[k1v])
        dky = np.sign(Y[kv] - Y[k1v])
        curx = X[k1v] - X[v]
        cury = Y[k1v] - Y[v]
        aa = c0x[v] * cury - c0y[v] * curx
        bb = c0x[v] * dky - c0y[v] * dkx
        cc = c1x[v] * cury - c1y[v] * curx
        dd = c1x[v] * dky - c1y[v] * dkx
        big = np.iinfo(np.int64).max // 4
        j = np.full(v.size, big, dtype=np.int64)
        neg = bb < 0
        j[neg] = aa[neg] // -bb[neg]
        pos = dd > 0
        j[pos] = np.minimum(j[pos], (-cc[pos]) // dd[pos])
        pivk[v] = (k1[v] + j) % n[v]

    piv = pivk.tolist()
    for p_index, pp in enumerate(paths):
        s, m = int(starts[p_index]), int(lengths[p_index])
        pv = piv[s:s + m]
        lon = [0] * m
        j = pv[m - 1]
        lon[m - 1] = j
        for q in range(m - 2, -1, -1):
            a_, b_ = q + 1, pv[q]
            if (a_ <= b_ < j) if a_ <= j else (a_ <= b_ or b_ < j):
                j = b_
            lon[q] = j
        q = m - 1
        while True:
            a_ = (q + 1) % m
            c_ = lon[q]
            if not ((a_ <= j < c_) if a_ <= c_ else (a_ <= j or j < c_)):
                break
            lon[q] = j
            q -= 1
        pp._lon = lon


def trace_paths(ink: np.ndarray, turdsize: int = 2, turnpolicy: str = "minority", alphamax: float = 1.0,
                opticurve: bool = True, opttolerance: float = 0.2) -> list:
    """Trace a boolean ink mask (True = ink) into potracer paths with their final curves."""
    p = _module()
    policy = TURN_POLICIES.index(turnpolicy)
    paths = decompose(ink, turdsize, policy)
    for pp in paths:
        p._calc_sums(pp)
    calc_lon(paths)
    for pp in paths:
        if p._bestpolygon(pp) or p._adjust_vertices(pp):
            raise ImageToPrintError("potrace could not fit a polygon to the traced outline")
        if not pp.sign:
            p.reverse(pp._curve)
        p._smooth(pp._curve, alphamax)
        if opticurve:
            if p._opticurve(pp, opttolerance):
                raise ImageToPrintError("potrace could not optimise the traced curve")
            pp._fcurve = pp._ocurve
        else:
            pp._fcurve = pp._curve
    return paths


def loops_from_paths(paths: list) -> list[np.ndarray]:
    """Closed loops as (n, 3, 2) arrays of [handle_left, anchor, handle_right] per anchor."""
    p = _module()
    loops = []
    for pp in paths:
        segs = pp._fcurve.segments if hasattr(pp._fcurve, "segments") else pp._fcurve
        if not segs:
            continue
        last = segs[-1].c[2]
        prev = np.array([last.x, last.y], dtype=np.float64)
        anchors: list[list] = []  # [hl, co, hr]
        pending_hr = None
        for s in segs:
            end = np.array([s.c[2].x, s.c[2].y], dtype=np.float64)
            prev_index = len(anchors) - 1  # the anchor at ``prev`` (none yet: the loop's last one)
            if s.tag == p.POTRACE_CORNER:
                c = np.array([s.c[1].x, s.c[1].y], dtype=np.float64)
                out_prev = prev + (c - prev) / 3.0
                anchors.append([c + (prev - c) / 3.0, c, c + (end - c) / 3.0])
                anchors.append([end + (c - end) / 3.0, end, None])
            else:
                out_prev = np.array([s.c[0].x, s.c[0].y], dtype=np.float64)
                anchors.append([np.array([s.c[1].x, s.c[1].y], dtype=np.float64), end, None])
            if prev_index < 0:
                pending_hr = out_prev
            else:
                anchors[prev_index][2] = out_prev
            prev = end
        anchors[-1][2] = pending_hr
        loops.append(np.array(anchors, dtype=np.float64))
    return loops


def trace_loops(ink: np.ndarray, turdsize: int = 2, turnpolicy: str = "minority", alphamax: float = 1.0,
                opticurve: bool = True, opttolerance: float = 0.2) -> list[np.ndarray]:
    """Loops of a boolean ink mask as C potrace traces the image (its y axis points up)."""
    h = ink.shape[0]
    paths = trace_paths(np.ascontiguousarray(ink[::-1]), turdsize, turnpolicy, alphamax, opticurve, opttolerance)
    flip = np.array([1.0, -1.0])
    return [loop * flip + np.array([0.0, h]) for loop in loops_from_paths(paths)]
