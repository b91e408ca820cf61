# SPDX-License-Identifier: GPL-3.0-or-later
"""A small, careful HTTP client (standard library only) for the remote backends.

HTTPS for every non-loopback host; timeouts on every call; retries with
exponential backoff for 429, 5xx and dropped connections; a size limit on
downloads; one plain sentence per failure.  Keys travel only in headers and
never appear in a message.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

from ..errors import ImageToPrintError
from .backend import check_cancel

LOOPBACK = {"localhost", "127.0.0.1", "::1"}
STATUS_TEXT = {
    400: "the service refused the request (400)",
    401: "the service rejected the API key (401)",
    402: "the account is out of credits (402)",
    403: "access denied (403)",
    404: "not found (404): check the server URL",
    429: "the service is rate limiting requests (429): try again later",
}
RETRY = {429, 500, 502, 503, 504}


class HTTPStatusError(ImageToPrintError):
    """An HTTP error status, with the JSON body the service sent (``body``, {} when none) and its
    ``Retry-After`` in seconds (None when none)."""

    def __init__(self, status: int, host: str, body: dict | None = None, retry_after: float | None = None):
        text = STATUS_TEXT.get(status, f"the service failed (HTTP {status})")
        super().__init__(f"{host}: {text}")
        self.status, self.host = status, host
        self.body = body or {}
        self.retry_after = retry_after


def _error_body(exc: urllib.error.HTTPError) -> dict:
    """The JSON an error answer carries (the first 64 kB), or {}."""
    try:
        value = json.loads(exc.read(65536).decode("utf-8", errors="replace"))
    except (OSError, ValueError, AttributeError):
        return {}
    return value if isinstance(value, dict) else {}


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    try:
        value = float(exc.headers.get("Retry-After", ""))
    except (TypeError, ValueError, AttributeError):
        return None
    return value if 0 <= value < 3600 else None


def check_url(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImageToPrintError(f"not a web address: {url}")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise ImageToPrintError(f"use HTTPS for {parts.hostname}: plain HTTP is only allowed on this computer")
    return parts


def _ssl_context():
    """Certificates are checked against certifi's bundle, or against the bundle that ``SSL_CERT_FILE``
    names (OpenSSL's own variable: a company's proxy, a self-hosted server with its own authority)."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context()  # OpenSSL reads SSL_CERT_FILE itself
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:
        return ssl.create_default_context()


SECRET_HEADERS = ("authorization", "x-api-key", "cookie")


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to HTTPS (or within the same loopback host), and never carry the
    API key to a host other than the one the user configured."""

    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old = urllib.parse.urlsplit(req.full_url)
        new = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl))
        same_loopback = new.hostname == old.hostname and new.hostname in LOOPBACK
        if new.scheme != "https" and not same_loopback:
            raise ImageToPrintError(f"{old.hostname} redirected to {new.scheme}://{new.hostname}: only HTTPS "
                                    "redirects are followed")
        request = super().redirect_request(req, fp, code, msg, headers, new.geturl())
        if request is not None and (new.hostname, new.port) != (old.hostname, old.port):
            for name in list(request.headers):
                if name.lower() in SECRET_HEADERS:
                    del request.headers[name]
            for name in list(request.unredirected_hdrs):
                if name.lower() in SECRET_HEADERS:
                    del request.unredirected_hdrs[name]
        return request


def _opener(https: bool):
    handlers: list = [_Redirects()]
    if https:
        handlers.append(urllib.request.HTTPSHandler(context=_ssl_context()))
    return urllib.request.build_opener(*handlers)


def _host_of(exc, default: str) -> str:
    """The host that answered (after redirects), for the message."""
    url = getattr(exc, "url", None) or getattr(exc, "filename", None)
    if not isinstance(url, str):
        return default
    try:
        return urllib.parse.urlsplit(url).hostname or default
    except ValueError:
        return default


def read_within(response, size: int, *, host: str, deadline: float) -> bytes:
    """``response.read(size)``, but the whole body within ``deadline`` (time.monotonic()): each read
    waits at most for what is left, so a server dripping a byte at a time cannot hold the call."""
    chunks, got = [], 0
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    while got < size:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ImageToPrintError(f"{host}: the answer did not arrive in time (stopped or too slow)")
        if sock is not None:
            try:
                sock.settimeout(min(left, 60.0))
            except OSError:  # closed once the body is complete
                sock = None
        try:
            chunk = response.read1(min(1 << 20, size - got)) if hasattr(response, "read1") else \
                response.read(min(1 << 20, size - got))
        except TimeoutError:
            if deadline - time.monotonic() < 60.0:  # the wait was cut to the deadline: it is the deadline
                raise ImageToPrintError(f"{host}: the answer did not arrive in time (stopped or too slow)") from None
            raise ImageToPrintError(f"{host}: stopped answering in the middle of its answer") from None
        except (ConnectionError, OSError) as exc:
            raise ImageToPrintError(f"{host}: the connection broke ({exc})") from None
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


@contextmanager
def open_url(method: str, url: str, *, data: bytes | None = None, headers: dict | None = None,
             timeout_s: float = 60.0):
    """An open response, or one clear ImageToPrintError naming the host (never the request's headers)."""
    host = check_url(url).hostname
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        response = _opener(url.startswith("https")).open(request, timeout=timeout_s)
    except urllib.error.HTTPError as exc:
        raise HTTPStatusError(exc.code, _host_of(exc, str(host)), _error_body(exc), _retry_after(exc)) from None
    except TimeoutError:
        raise ImageToPrintError(f"{host}: no answer within {timeout_s:g} s") from None
    except ImageToPrintError:
        raise
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise ImageToPrintError(f"{host}: no answer within {timeout_s:g} s") from None
        if isinstance(reason, ssl.SSLCertVerificationError):
            raise ImageToPrintError(f"cannot reach {host}: its certificate is not trusted "
                                    f"({reason.verify_message or 'verification failed'}); a server with its own "
                                    "authority needs SSL_CERT_FILE set to that authority's certificate") from None
        raise ImageToPrintError(f"cannot reach {host}: {reason}") from None
    except (ConnectionError, OSError) as exc:
        raise ImageToPrintError(f"cannot reach {host}: {exc}") from None
    try:
        yield response
    finally:
        response.close()


def _sleep(seconds: float, cancel: threading.Event) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        check_cancel(cancel)
        time.sleep(min(0.05, max(0.0, end - time.monotonic())))


def request_json(method: str, url: str, *, body: dict | None = None, data: bytes | None = None,
                 headers: dict | None = None, timeout_s: float = 60.0, retries: int = 3, backoff_s: float = 1.0,
                 cancel: threading.Event | None = None, max_bytes: int = 50 << 20,
                 retry_on: frozenset | set = frozenset(RETRY), retry_dropped: bool = True) -> dict:
    """Send a request and parse its JSON answer, retrying what is worth retrying: the statuses in
    ``retry_on`` (after the service's Retry-After, when it sends one) and, with ``retry_dropped``, failed
    connections. A request that must not run twice (one that starts paid work) passes ``retry_on={429}``
    (a 429 did nothing) and ``retry_dropped=False``."""
    cancel = cancel or threading.Event()
    headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    headers.setdefault("Accept", "application/json")
    host = check_url(url).hostname
    for attempt in range(retries + 1):
        check_cancel(cancel)
        try:
            deadline = time.monotonic() + timeout_s
            with open_url(method, url, data=data, headers=headers, timeout_s=timeout_s) as response:
                raw = read_within(response, max_bytes + 1, host=str(host), deadline=deadline)
                kind = response.headers.get("Content-Type", "")
            break
        except HTTPStatusError as exc:
            if exc.status not in retry_on or attempt == retries:
                raise
            if exc.retry_after is not None:
                _sleep(min(exc.retry_after, 120.0), cancel)
                continue
        except ImageToPrintError as exc:
            if "cannot reach" not in str(exc) or not retry_dropped or attempt == retries:
                raise
        _sleep(backoff_s * (2 ** attempt), cancel)
    if len(raw) > max_bytes:
        raise ImageToPrintError(f"{host}: the answer is larger than {max_bytes >> 20} MB")
    text = raw.decode("utf-8", errors="replace").lstrip()
    if "html" in kind or text.startswith("<"):
        raise ImageToPrintError(f"{host} answered with a web page, not the API: check the server URL")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise ImageToPrintError(f"{host} answered with something that is not JSON") from None
    if not isinstance(value, dict):
        raise ImageToPrintError(f"{host} answered with unexpected JSON")
    return value


def copy_limited(response, out, *, max_bytes: int, host: str, cancel: threading.Event, digest=None,
                 progress=None, deadline: float | None = None) -> int:
    """Copy a response body to ``out`` in 1 MB chunks, refusing more than ``max_bytes`` and, with a
    ``deadline`` (time.monotonic()), a body that has not arrived by then; return the size."""
    if deadline is None:
        deadline = time.monotonic() + 3600.0
    total = int(response.headers.get("Content-Length") or 0)
    too_big = f"{host}: the file is larger than the {max_bytes / 1e6:g} MB download limit"
    if total > max_bytes:
        raise ImageToPrintError(too_big)
    done = 0
    while True:
        check_cancel(cancel)
        chunk = read_within(response, 1 << 20, host=host, deadline=deadline)
        if not chunk:
            return done
        done += len(chunk)
        if done > max_bytes:
            raise ImageToPrintError(too_big)
        if digest is not None:
            digest.update(chunk)
        out.write(chunk)
        if progress and total:
            progress(done / total, f"downloading {done / 1e6:.1f} of {total / 1e6:.1f} MB")


def download_file(url: str, suffix: str, *, headers: dict | None = None, timeout_s: float = 120.0,
                  max_bytes: int = 200 << 20, cancel: threading.Event | None = None) -> str:
    """Stream ``url`` into a temporary file (removed on failure); return its path."""
    cancel = cancel or threading.Event()
    host = str(check_url(url).hostname)
    fd, path = tempfile.mkstemp(prefix="image-to-print-", suffix=suffix)
    deadline = time.monotonic() + timeout_s
    try:
        with os.fdopen(fd, "wb") as out, open_url("GET", url, headers=headers, timeout_s=timeout_s) as response:
            copy_limited(response, out, max_bytes=max_bytes, host=host, cancel=cancel, deadline=deadline)
    except BaseException:
        os.remove(path)
        raise
    return path


def multipart(fields: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body from name -> (filename, content, content type)."""
    boundary = "image-to-print-" + os.urandom(8).hex()
    parts = []
    for name, (filename, content, kind) in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {kind}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
