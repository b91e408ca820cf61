# SPDX-License-Identifier: GPL-3.0-or-later
"""Download a file from a pinned URL with a SHA-256 check, atomically, on request only."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading

from ..errors import ImageToPrintError
from .http import check_url, copy_limited, open_url


def download(url: str, dest: str, sha256: str, *, max_bytes: int, timeout_s: float = 60.0,
             progress=None, cancel: threading.Event | None = None) -> str:
    """Fetch ``url`` into ``dest``; the file appears only if its SHA-256 matches."""
    if not sha256:
        raise ImageToPrintError("this model has no pinned checksum: download it yourself and choose the file")
    cancel = cancel or threading.Event()
    folder = os.path.dirname(os.path.abspath(dest))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".download.", dir=folder)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, open_url("GET", url, timeout_s=timeout_s) as response:
            copy_limited(response, out, max_bytes=max_bytes, host=str(check_url(url).hostname), cancel=cancel,
                         digest=digest, progress=progress)
        if digest.hexdigest() != sha256.lower():
            raise ImageToPrintError("the downloaded file does not match its pinned SHA-256 checksum; nothing was kept")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return dest
