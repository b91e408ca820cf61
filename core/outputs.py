# SPDX-License-Identifier: GPL-3.0-or-later
"""The files one command writes, checked before any work and committed together or not at all.

:class:`Outputs` is the one way every output is written:

1. **Before the work** it checks every path: not a folder, not an input, not another output, in a
   folder that exists; and it makes each temporary file there at once (``.NAME.XXXX.part.EXT``),
   which proves the folder takes files (``/proc`` does not, whatever ``os.access`` says).
   Messages name the user's path, never ours.
2. **Writers** write into :meth:`Outputs.temp`. Blender's exporters report no write errors, so
3. **before anything counts**, :meth:`Outputs.commit` reads every file back cheaply
   (:func:`verify`: the STL's triangle count against its length, the GLB's header and chunk
   lengths, the 3MF's zip directory and CRCs, the OBJ's last line, the JSON's parse) and only then
   renames them all into place. A full disk is reported as one line naming the path.
4. On any failure, Ctrl-C or SIGTERM every temporary file is removed; files that existed before
   the run are left as they were.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import struct
import tempfile
import zipfile

from .errors import ImageToPrintError

LIVE: set[str] = set()  # temporary files that exist right now (removed by signal handlers too)


def remove_live() -> None:
    """Remove every temporary output file of this process (a signal handler's last act)."""
    for path in list(LIVE):
        try:
            os.remove(path)
        except OSError:
            pass
        LIVE.discard(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _same(a: str, b: str) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def cause(exc: BaseException | None, folder: str) -> str:
    """Why a write failed, in words: "disk full" when it is, else the system's reason."""
    if getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or _low(folder):
        return "disk full"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip().splitlines() if exc is not None else []
    return text[-1] if text else "the file came out incomplete"


def check_output_path(path: str) -> str:
    """Absolute path of an output file whose folder exists (the first of the checks, no file made)."""
    path = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(path)
    if os.path.isdir(path):
        raise ImageToPrintError(f"output path is a folder, not a file: {path}")
    if not os.path.isdir(folder):
        raise ImageToPrintError(f"output folder does not exist: {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ImageToPrintError(f"output folder is not writable: {folder}")
    return path


def _clash(path: str, inputs, outputs) -> str:
    """"input" when ``path`` is one of ``inputs`` (an existing file), "output" when it is one of
    ``outputs``, "" when it is neither."""
    if any(source and os.path.exists(source) and _same(path, source) for source in inputs):
        return "input"
    return "output" if any(_same(path, other) for other in outputs) else ""


class Outputs:
    """``with Outputs(paths, inputs) as out: write to out.temp(p) ...; out.commit()``."""

    def __init__(self, paths, inputs=()):
        paths = [check_output_path(p) for p in paths if p]
        for i, path in enumerate(paths):
            clash = _clash(path, inputs, paths[:i])
            if clash == "input":
                raise ImageToPrintError(f"{path} is the input file: choose another output path")
            if clash:
                raise ImageToPrintError(f"{path} is given twice as an output: each output needs its own path")
        self.paths = paths
        self.inputs = list(inputs)
        self._temps: dict[str, str] = {}
        self._expect: dict[str, dict] = {}
        self._current: str | None = None
        self.committed = False

    def __enter__(self):
        try:
            for path in self.paths:
                self._make_temp(path)
        except BaseException:
            self._discard()
            raise
        return self

    def _make_temp(self, path: str) -> None:
        folder, name = os.path.split(path)
        stem, ext = os.path.splitext(name)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".part{ext}", dir=folder)
        except OSError as exc:
            raise ImageToPrintError(f"cannot write {path}: {cause(exc, folder)}") from None
        os.close(fd)
        LIVE.add(tmp)
        self._temps[path] = tmp

    def split(self, path: str, paths) -> list[str]:
        """Write ``paths`` instead of ``path`` (one file per colour, say), committed with the others: each is
        checked like every output (not an input, not another output, its folder takes files) and gets its
        temporary file; ``path`` itself is then not written. The absolute paths."""
        path = os.path.abspath(path)
        paths = [check_output_path(p) for p in paths]
        others = [p for p in self.paths if p != path]
        for i, new in enumerate(paths):
            clash = _clash(new, self.inputs, others + paths[:i])
            if clash:
                raise ImageToPrintError(f"{new} (one of the files {path} becomes) is "
                                        f"{'the input file' if clash == 'input' else 'also another output'}: "
                                        "choose another output path")
        for new in paths:
            self._make_temp(new)
        tmp = self._temps.pop(path, None)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.remove(tmp)
            LIVE.discard(tmp)
        self._expect.pop(path, None)
        index = self.paths.index(path) if path in self.paths else len(self.paths)
        self.paths[index:index + 1] = paths
        return paths

    def also(self, path: str) -> bool:
        """Write ``path`` too (a file that goes with an output, found while writing it), checked like every
        output; False when it is already one of them."""
        path = check_output_path(path)
        if path in self.paths:
            return False
        clash = _clash(path, self.inputs, self.paths)
        if clash:
            raise ImageToPrintError(f"{path} (written with the outputs) is "
                                    f"{'the input file' if clash == 'input' else 'also another output'}: "
                                    "choose another output path")
        self._make_temp(path)
        self.paths.append(path)
        return True

    def temp(self, path: str) -> str:
        """Where the writer of ``path`` writes (and, until the next call, the path a write error names)."""
        self._current = os.path.abspath(path)
        return self._temps[self._current]

    def expect(self, path: str, **facts) -> None:
        """What the file must hold (``triangles=N`` for STL), checked before it counts."""
        self._expect.setdefault(os.path.abspath(path), {}).update(facts)

    def verify_all(self) -> None:
        for path, tmp in self._temps.items():
            problem = verify(tmp, os.path.splitext(path)[1].lower(), **self._expect.get(path, {}))
            if problem:
                folder = os.path.dirname(path)
                raise ImageToPrintError(f"cannot write {path}: {'disk full' if _low(folder) else problem}")

    def commit(self) -> list[str]:
        """Verify every file, then rename them all into place; the final paths."""
        self.verify_all()
        mode = 0o666 & ~_umask()  # mkstemp makes 0600; give the usual file mode
        for path, tmp in self._temps.items():
            try:
                os.chmod(tmp, mode)
                os.replace(tmp, path)
            except OSError as exc:
                raise ImageToPrintError(f"cannot write {path}: {cause(exc, os.path.dirname(path))}") from None
            LIVE.discard(tmp)
        self.committed = True
        return list(self._temps)

    def _discard(self) -> None:
        for tmp in self._temps.values():
            try:
                os.remove(tmp)
            except OSError:
                pass
            LIVE.discard(tmp)

    def __exit__(self, exc_type, exc, tb):
        if not self.committed:
            self._discard()
        if isinstance(exc, OSError):  # a writer's own error (our JSON, 3MF): one line naming the path
            path = next((p for p, t in self._temps.items() if exc.filename in (t, p)), None) or self._current
            if path is not None:
                raise ImageToPrintError(f"cannot write {path}: {cause(exc, os.path.dirname(path))}") from None
        return False


def _low(folder: str) -> bool:
    """Under 1 MiB free: the file was cut short by a full disk, whatever the exporter said."""
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


# --- reading a file back ---------------------------------------------------------------------

def verify(path: str, ext: str, triangles: int | None = None) -> str:
    """Why the file at ``path`` is not a complete ``ext`` file, or "" when it is. Cheap: headers,
    lengths and directory, never the whole geometry."""
    try:
        size = os.path.getsize(path) if os.path.exists(path) else 0
        if size == 0:
            return "the exporter wrote nothing"
        with open(path, "rb") as fh:
            head = fh.read(84)
            if ext == ".stl":
                return _verify_stl(fh, head, size, triangles)
            if ext == ".glb":
                return _verify_glb(fh, head, size)
            if ext == ".3mf":
                return _verify_3mf(path)
            fh.seek(max(0, size - 1))
            last = fh.read(1)
            if ext in (".obj", ".txt"):
                return "" if last == b"\n" else f"the {ext[1:].upper()} file ends in the middle of a line"
            if ext == ".png":
                fh.seek(max(0, size - 12))
                return "" if head[:8] == b"\x89PNG\r\n\x1a\n" and fh.read(12)[4:8] == b"IEND" else \
                    "the PNG file is cut short"
            if ext == ".json":
                fh.seek(0)
                json.loads(fh.read().decode("utf-8"))
                return ""
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        return f"it cannot be read back ({exc})"
    return ""


def _verify_stl(fh, head: bytes, size: int, triangles: int | None) -> str:
    if len(head) >= 84:
        (count,) = struct.unpack_from("<I", head, 80)
        if size == 84 + 50 * count:
            if count == 0:
                return "the STL holds no triangles"
            if triangles is not None and count != triangles:
                return f"the STL holds {count} triangles, not {triangles}"
            return ""
    if head[:5].lower() == b"solid":  # ASCII
        fh.seek(max(0, size - 256))
        tail = fh.read().rstrip()
        if tail.rsplit(b"\n", 1)[-1].strip().lower().startswith(b"endsolid"):
            return ""
        return "the ASCII STL ends before its endsolid line"
    return f"the STL is {size} bytes long, which does not match its triangle count"


def _verify_glb(fh, head: bytes, size: int) -> str:
    if len(head) < 20 or head[:4] != b"glTF":
        return "not a GLB file (no glTF header)"
    version, length = struct.unpack_from("<II", head, 4)
    if version != 2 or length != size:
        return f"the GLB header says {length} bytes, the file has {size}"
    offset, chunks = 12, []
    while offset + 8 <= size:
        fh.seek(offset)
        clen, ctype = struct.unpack("<I4s", fh.read(8))
        if offset + 8 + clen > size:
            return "a GLB chunk runs past the end of the file"
        chunks.append((ctype, offset + 8, clen))
        offset += 8 + clen
    if not chunks or chunks[0][0] != b"JSON":
        return "the GLB has no JSON chunk"
    fh.seek(chunks[0][1])
    doc = json.loads(fh.read(chunks[0][2]).decode("utf-8"))
    need = sum(int(b.get("byteLength", 0)) for b in doc.get("buffers", []) if "uri" not in b)
    have = sum(c[2] for c in chunks[1:] if c[0] == b"BIN\x00")
    if need > have:
        return f"the GLB's buffer needs {need} bytes, its BIN chunk holds {have}"
    return ""


def _verify_3mf(path: str) -> str:
    with zipfile.ZipFile(path) as z:
        if "3D/3dmodel.model" not in z.namelist():
            return "the 3MF holds no 3D/3dmodel.model"
        bad = z.testzip()
        if bad is not None:
            return f"the 3MF's {bad} is damaged"
    return ""
