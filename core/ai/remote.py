# SPDX-License-Identifier: GPL-3.0-or-later
"""Remote image-to-3D services: a self-hosted Hunyuan3D-2 API server and Tripo's API v3.

Both end in a GLB file.  Jobs are polled with backoff until a deadline, so a job
stuck in "processing" (a failed Hunyuan job never reports failure) ends with a
timeout message; cancel works between requests.  API keys come from the
preferences or the environment and are only ever sent in a header.
"""

from __future__ import annotations

import base64
import io
import os
import tempfile
import threading
import time

from ..errors import ImageToPrintError
from .backend import Backend, Job, MeshFile, Progress, check_cancel
from .http import STATUS_TEXT, HTTPStatusError, check_url, copy_limited, download_file, multipart, request_json

TRIPO_URL = "https://openapi.tripo3d.ai"  # API v3 (v2 shut down on 2026-10-31)
HUNYUAN_URL = "http://127.0.0.1:8081"


def png_bytes(job: Job) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(job.image.rgba8, "RGBA").save(buffer, format="PNG")
    return buffer.getvalue()


def check_glb(path: str, host: str) -> None:
    with open(path, "rb") as fh:
        head = fh.read(12)
    size = os.path.getsize(path)
    if len(head) < 12 or head[:4] != b"glTF" or int.from_bytes(head[8:12], "little") != size:
        os.remove(path)
        raise ImageToPrintError(f"{host} sent a corrupt or truncated GLB")


def _poll_delay(elapsed_polls: int) -> float:
    return min(30.0, 2.0 * (1.5 ** elapsed_polls))


class RemoteBackend(Backend):
    output = "mesh"
    network = True
    poll_scale = 1.0  # tests shorten the waits

    def _wait(self, seconds: float, deadline: float, cancel: threading.Event) -> None:
        end = min(time.monotonic() + seconds * self.poll_scale, deadline)
        while time.monotonic() < end:
            check_cancel(cancel)
            time.sleep(0.02)


def _not_the_api(host: str) -> ImageToPrintError:
    return ImageToPrintError(f"{host}: this is not the API server (api_server.py): start Hunyuan3D's api_server.py "
                             "(port 8081), not its Gradio app (gradio_app.py), and give its address")


def _hunyuan_failure(exc: HTTPStatusError, host: str) -> ImageToPrintError:
    """api_server.py answers every failure with 404: a route it does not have ({"detail": "Not Found"}: not
    the API server), or a generation that failed ({"text": ..., "error_code": 1})."""
    if exc.status == 404 and "error_code" in exc.body:
        text = str(exc.body.get("text") or "").strip().rstrip(".")
        return ImageToPrintError(f"{host}: the server could not make a model (error_code {exc.body['error_code']})"
                                 + (f": {text}" if text else ""))
    if exc.status in (404, 405):
        return _not_the_api(host)
    return exc


class HunyuanBackend(RemoteBackend):
    name = "hunyuan"
    label = "Hunyuan3D-2 server (self-hosted)"
    description = "Tencent Hunyuan3D-2.1 or 2.0's API server, run by you (api_server.py, port 8081 by default)"
    licence = "Tencent Hunyuan Community Licence (not for the EU, UK and South Korea)"

    def available(self, job: Job) -> tuple[bool, str]:
        check_url(job.server or HUNYUAN_URL)
        return True, ""

    def _version(self, base: str, host: str, cancel: threading.Event) -> str:
        """"2.1" when ``/health`` says healthy, "2.0" when the server has no such route (2.0's api_server.py);
        a web page there (the Gradio app) is not the API server."""
        try:
            health = request_json("GET", f"{base}/health", timeout_s=20, retries=0, cancel=cancel)
        except HTTPStatusError as exc:
            if exc.status in (404, 405) and exc.body.get("detail") == "Not Found":
                return "2.0"
            raise _hunyuan_failure(exc, host) from None
        except ImageToPrintError as exc:
            if "web page" in str(exc) or "not JSON" in str(exc):
                raise _not_the_api(host) from None
            raise
        if health.get("status") != "healthy":
            raise ImageToPrintError(f"{host}: the server is not ready (health: {health.get('status')!r})")
        return "2.1"

    def run(self, job: Job, progress: Progress, cancel: threading.Event) -> MeshFile:
        base = (job.server or HUNYUAN_URL).rstrip("/")
        host = check_url(base).hostname or base
        deadline = time.monotonic() + job.timeout_s
        progress(0.02, "asking the server")
        version = self._version(base, host, cancel)
        image = base64.b64encode(png_bytes(job)).decode()
        uid = None
        if version == "2.0":
            progress(0.05, "sending the image")
            try:
                uid = request_json("POST", f"{base}/send", body={"image": image}, timeout_s=60,
                                   cancel=cancel).get("uid")
            except HTTPStatusError as exc:
                if exc.status not in (404, 405):
                    raise _hunyuan_failure(exc, host) from None
            except ImageToPrintError as exc:
                if "web page" in str(exc):
                    raise _not_the_api(host) from None
                raise
        if not uid:
            # 2.1 reports a job sent without texture as 'texturing' for ever (only its textured file ends
            # it, and a failed texture never comes): its synchronous route answers with the model itself
            progress(0.2, "generating (the server answers when the model is done)")
            path = self._post_generate(base, image, job, cancel)
        else:
            polls = 0
            while True:
                check_cancel(cancel)
                if time.monotonic() >= deadline:
                    raise ImageToPrintError(f"{host}: the job did not finish within {job.timeout_s:g} s "
                                            "(a failed Hunyuan3D job stays 'processing')")
                status = request_json("GET", f"{base}/status/{uid}", timeout_s=60, cancel=cancel)
                if status.get("status") == "completed" and status.get("model_base64"):
                    path = self._save_base64(status["model_base64"], job, host)
                    break
                if status.get("status") not in ("processing", "texturing", "completed"):
                    raise ImageToPrintError(f"{host}: unexpected job status {status.get('status')!r}")
                progress(min(0.9, 0.1 + 0.05 * polls), str(status.get("status")))
                self._wait(_poll_delay(polls), deadline, cancel)
                polls += 1
        check_glb(path, host)
        progress(1.0, "done")
        return MeshFile(path=path, meta={"service": f"hunyuan3d-{version}", "server": base})

    def _post_generate(self, base: str, image: str, job: Job, cancel: threading.Event) -> str:
        import json

        from .http import open_url

        host = check_url(base).hostname or base
        data = json.dumps({"image": image, "type": "glb", "texture": False}).encode()  # 2.1 reads texture, 2.0 type
        limit = int(job.max_download_mb * 1e6)
        fd, path = tempfile.mkstemp(prefix="image-to-print-", suffix=".glb")
        deadline = time.monotonic() + job.timeout_s  # the whole call, however slowly the answer drips
        try:
            with os.fdopen(fd, "wb") as out, open_url("POST", f"{base}/generate", data=data,
                                                       headers={"Content-Type": "application/json"},
                                                       timeout_s=job.timeout_s) as response:
                if "html" in response.headers.get("Content-Type", ""):
                    raise _not_the_api(str(host))
                copy_limited(response, out, max_bytes=limit, host=str(host), cancel=cancel, deadline=deadline)
        except HTTPStatusError as exc:
            os.remove(path)
            raise _hunyuan_failure(exc, str(host)) from None
        except BaseException:
            os.remove(path)
            raise
        return path

    def _save_base64(self, text: str, job: Job, host: str) -> str:
        if len(text) * 3 / 4 > job.max_download_mb * 1e6:
            raise ImageToPrintError(f"{host}: the model is larger than the {job.max_download_mb:g} MB download limit")
        try:
            content = base64.b64decode(text, validate=True)
        except ValueError:
            raise ImageToPrintError(f"{host} sent a model that is not valid base64") from None
        fd, path = tempfile.mkstemp(prefix="image-to-print-", suffix=".glb")
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        return path


TRIPO_UPLOAD_MAX = 50 * 1024 * 1024  # larger images go through a presigned PUT (Tripo's /v3/files takes 50 MB)
TRIPO_ENDED = ("failed", "cancelled", "banned", "expired", "unknown")
TRIPO_CODES = {2010: "the account is out of credits"}


def tripo_call(method: str, url: str, key: str, *, paid: bool = False, **kwargs) -> dict:
    """One call to Tripo's API v3: its ``data``, or one sentence from its envelope (``code``, ``message``,
    ``suggestion``), whether it came with an error status or with 200. ``paid``: a call that starts work
    (and spends credit), never sent twice: only a 429, which did nothing, is retried."""
    host = check_url(url).hostname or url
    if paid:
        kwargs.update(retry_on={429}, retry_dropped=False)
    try:
        answer = request_json(method, url, headers={"Authorization": f"Bearer {key}", **kwargs.pop("headers", {})},
                              **kwargs)
    except HTTPStatusError as exc:
        code = exc.body.get("code")
        if code in TRIPO_CODES or exc.body.get("message"):
            raise ImageToPrintError(_tripo_text(exc.host, code, exc.body, exc.status)) from None
        raise
    code = answer.get("code")
    if code not in (None, 0):
        raise ImageToPrintError(_tripo_text(str(host), code, answer, 200))
    data = answer.get("data")
    return data if isinstance(data, dict) else {}


def _tripo_text(host: str, code, body: dict, status: int) -> str:
    """One sentence: what the status (or Tripo's code) means, then Tripo's own message and suggestion."""
    text = TRIPO_CODES.get(code) or STATUS_TEXT.get(status) or (
        f"the service failed (HTTP {status})" if status != 200 else "the service refused the request")
    message = str(body.get("message") or "").strip().rstrip(".")
    suggestion = str(body.get("suggestion") or "").strip().rstrip(".")
    return (f"{host}: {text}" + (f" (code {code})" if code not in (None, 0) else "")
            + (f": {message}" if message else "") + (f"; {suggestion}" if suggestion else ""))


def tripo_balance(key: str, server: str = "", timeout_s: float = 20.0) -> tuple[float, float]:
    """``(balance, frozen)`` credits of the account the key belongs to (``GET /v3/account/balance``)."""
    base = (server or TRIPO_URL).rstrip("/")
    data = tripo_call("GET", f"{base}/v3/account/balance", key, timeout_s=timeout_s, retries=1)
    try:
        return float(data.get("balance") or 0.0), float(data.get("frozen") or 0.0)
    except (TypeError, ValueError):
        raise ImageToPrintError(f"{check_url(base).hostname}: the balance is not a number") from None


class TripoBackend(RemoteBackend):
    name = "tripo"
    label = "Tripo API (cloud, your key)"
    description = "VAST's Tripo image-to-model service, API v3; needs an API key (preferences or TRIPO_API_KEY)"
    licence = "Tripo terms of service"

    def available(self, job: Job) -> tuple[bool, str]:
        check_url(job.server or TRIPO_URL)
        if not job.api_key:
            return False, "no Tripo API key: set it in the preferences or the TRIPO_API_KEY environment variable"
        return True, ""

    def _upload(self, base: str, key: str, image: bytes, cancel: threading.Event) -> str:
        """The image's ``file_token``: ``POST /v3/files`` (multipart), or for a large image a presigned PUT
        (``POST /v3/files/presign``), which carries no key."""
        host = check_url(base).hostname or base
        if len(image) <= TRIPO_UPLOAD_MAX:
            body, kind = multipart({"file": ("image.png", image, "image/png")})
            data = tripo_call("POST", f"{base}/v3/files", key, data=body, headers={"Content-Type": kind},
                              timeout_s=120, cancel=cancel)
        else:
            from .http import open_url, read_within

            data = tripo_call("POST", f"{base}/v3/files/presign", key, body={"format": "png"}, timeout_s=60,
                              cancel=cancel)
            target = str(data.get("presigned_url") or data.get("upload_url") or "")
            if not target or not data.get("file_token"):
                raise ImageToPrintError(f"{host}: the upload address is incomplete")
            with open_url("PUT", target, data=image, headers={"Content-Type": "image/png"},
                          timeout_s=300) as response:
                read_within(response, 1 << 16, host=str(check_url(target).hostname), deadline=time.monotonic() + 60)
        token = data.get("file_token")
        if not token:
            raise ImageToPrintError(f"{host}: the upload returned no file token")
        return str(token)

    def run(self, job: Job, progress: Progress, cancel: threading.Event) -> MeshFile:
        base = (job.server or TRIPO_URL).rstrip("/")
        host = check_url(base).hostname or base
        key = job.api_key
        deadline = time.monotonic() + job.timeout_s
        progress(0.05, "uploading the image")
        token = self._upload(base, key, png_bytes(job), cancel)
        task_id = tripo_call("POST", f"{base}/v3/generation/image-to-model", key, paid=True, timeout_s=60,
                             cancel=cancel, body={"input": token}).get("task_id")
        if not task_id:
            raise ImageToPrintError(f"{host}: the service returned no task id")
        polls = 0
        while True:
            check_cancel(cancel)
            if time.monotonic() >= deadline:
                raise ImageToPrintError(f"{host}: the task did not finish within {job.timeout_s:g} s")
            data = tripo_call("GET", f"{base}/v3/tasks/{task_id}", key, timeout_s=60, cancel=cancel)
            status = data.get("status")
            if status == "success":
                output = data.get("output") or {}
                url = next((output.get(k) for k in ("model_url", "pbr_model_url", "model", "pbr_model")
                            if output.get(k)), None)
                if not url:
                    raise ImageToPrintError(f"{host}: the finished task has no model to download")
                break
            if status in TRIPO_ENDED:
                why = data.get("error_msg") or data.get("error_message")
                raise ImageToPrintError(f"{host}: the task ended as '{status}'" + (f": {why}" if why else ""))
            progress(0.1 + 0.8 * float(data.get("progress") or 0) / 100.0, f"generating ({status or 'queued'})")
            eta = float(data.get("running_left_time") or 0)
            self._wait(max(2.0, 0.5 * eta) if eta else _poll_delay(polls), deadline, cancel)
            polls += 1
        progress(0.92, "downloading the model")
        # a signed address: fetched without the key
        path = download_file(str(url), ".glb", timeout_s=300, max_bytes=int(job.max_download_mb * 1e6), cancel=cancel)
        check_glb(path, check_url(str(url)).hostname or host)
        progress(1.0, "done")
        return MeshFile(path=path, meta={"service": "tripo", "api": "v3", "task_id": task_id})
