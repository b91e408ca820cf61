# SPDX-License-Identifier: GPL-3.0-or-later
"""Print-check limits and the printer, shared by every route: plain data (no numpy).

Each field is the one declaration of its setting (``core/schema.py``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .schema import setting


@dataclass
class CheckDefaults:
    """Print-check limits and the printer, in mm and degrees: ``core.checks.Thresholds``.

    The nozzle here is the one nozzle of every route (the trace route's narrow-feature
    warning reads it too).
    """

    zero_mm: float = setting(0.001, "Degenerate", "Faces with area below this squared, and edges shorter than this, "
                             "are degenerate", unit="mm", min=0.0, soft_max=0.1, precision=4, flag="")
    nonplanar_deg: float = setting(5.0, "Non-Planar", "Faces bent more than this are non-planar", unit="deg",
                                   min=0.0, max=180.0, flag="")
    sharp_deg: float = setting(160.0, "Sharp Edge", "Convex edges sharper than this", unit="deg", min=0.0,
                               max=180.0, flag="")
    overhang_deg: float = setting(45.0, "Overhang", "Downward faces flatter than this need support", unit="deg",
                                  min=0.0, max=90.0)
    min_thickness_mm: float = setting(0.8, "Thin Wall", "Walls thinner than this are reported as thin (2 x a "
                                      "0.4 mm nozzle)", unit="mm", min=0.0, soft_max=10.0)
    nozzle_mm: float = setting(0.4, "Nozzle", "Nozzle width: walls narrower than this cannot be printed, features "
                               "under twice this are flagged", unit="mm", min=0.01, soft_max=2.0)
    build_volume_mm: tuple[float, float, float] = setting((256.0, 256.0, 256.0), "Build Volume",
                                                          "Printer build volume X, Y, Z", unit="mm", min=1.0)
    density_g_cm3: float = setting(1.24, "Density", "Material density for the mass estimate (g/cm³; PLA 1.24)",
                                   min=0.01, soft_max=10.0, flag="")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["build_volume_mm"] = list(self.build_volume_mm)
        return d


# --- bounded work --------------------------------------------------------------------------------

BYTES_PER_TRIANGLE = 400  # peak memory of build + checks + export, measured on reliefs (bpy 5.2)
HARD_TRIANGLES = 100_000_000


def available_memory() -> int:
    """Bytes this machine can give a run now (Linux: MemAvailable; elsewhere physical memory)."""
    import os

    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def triangle_limit() -> int:
    """The most triangles a run may make without the user's explicit override: half the memory
    this machine has free, at :data:`BYTES_PER_TRIANGLE`, and never over :data:`HARD_TRIANGLES`."""
    return int(min(HARD_TRIANGLES, max(1_000_000, available_memory() // 2 // BYTES_PER_TRIANGLE)))


def check_work(triangles: int, what: str, limit: int | None, advice) -> None:
    """Stop at once when ``triangles`` is over the limit (``limit`` None: :func:`triangle_limit`;
    0 or below: no limit, the user's explicit override). ``advice`` is the fix in words, or a
    function of the limit that says it (asked only when the work is over it)."""
    from .errors import ImageToPrintError

    if limit is not None and limit <= 0:
        return
    cap = triangle_limit() if limit is None else limit
    if triangles > cap:
        gb = triangles * BYTES_PER_TRIANGLE / 1e9
        fix = advice(cap) if callable(advice) else advice
        raise ImageToPrintError(
            f"{what} would have {triangles:,} triangles (about {gb:.1f} GB of memory), over the limit of {cap:,} "
            f"{'for this machine' if limit is None else 'given'}: {fix}, or --max-triangles {triangles} to go ahead")
