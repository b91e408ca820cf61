# SPDX-License-Identifier: GPL-3.0-or-later
"""Local depth model through ONNX Runtime (bundled wheel); weights chosen by path.

Depth Anything V2 Small (Apache-2.0) is the documented default, MiDaS v2.1 small
(MIT) the alternative.  Input and output names and sizes are read from the
ONNX Runtime session.  The model's relative inverse depth (disparity: larger is
nearer), normalised inside the foreground mask, is added to the inflated
silhouette, so the result is a closed solid with depth detail on the front.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import numpy as np

from ..errors import ImageToPrintError
from ..raster import over_white, resample
from .backend import Backend, HeightFields, Job, Progress, check_cancel
from .builtin import grid_for, heightfields_from
from .mask import foreground, one_piece, solid_mask, touches_border

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class DepthModel:
    label: str
    licence: str
    input_size: int  # used when the model's own input size is dynamic
    multiple: int
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    url: str = ""  # pinned download (empty: choose the file by path)
    sha256: str = ""
    size_bytes: int = 0
    filename: str = ""


MODELS = {
    "depth-anything-v2-small": DepthModel(
        label="Depth Anything V2 Small (int8)", licence="Apache-2.0", input_size=518, multiple=14,
        url="https://huggingface.co/onnx-community/depth-anything-v2-small/resolve/main/onnx/model_int8.onnx",
        sha256="01aa7a23de3f4a0ee1a2bb9997e6918104c85a9f95dea46d27b9b3fb0c6b9001", size_bytes=27_258_801,
        filename="depth-anything-v2-small-int8.onnx"),
    "midas-v2.1-small": DepthModel(label="MiDaS v2.1 small", licence="MIT", input_size=256, multiple=32),
}


def _session(path: str):
    try:
        import onnxruntime as ort
    except ImportError:
        raise ImageToPrintError("ONNX Runtime is not available in this Blender (the extension bundles it for "
                                "Windows x64, macOS arm64 and Linux x64)") from None
    if not path:
        raise ImageToPrintError("no depth model chosen: set its file in the preferences or pass --model PATH")
    if not os.path.isfile(path):
        raise ImageToPrintError(f"depth model not found: {path}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, (os.cpu_count() or 2) - 1)
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ImageToPrintError(f"not a usable ONNX model: {os.path.basename(path)} ({first[:160]})") from None


def signature(session) -> tuple[str, str, int | None, int | None]:
    """(input name, output name, fixed H or None, fixed W or None); refuses other shapes."""
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if len(inputs) != 1 or len(outputs) < 1:
        raise ImageToPrintError("wrong model signature: expected one image input and a depth output")
    shape = inputs[0].shape
    if len(shape) != 4 or shape[1] not in (3, "3") or "float" not in inputs[0].type:
        raise ImageToPrintError(f"wrong model signature: input {inputs[0].name} is {inputs[0].type} {shape}, "
                                "expected float32 [1, 3, H, W]")
    out_shape = outputs[0].shape
    if len(out_shape) not in (3, 4):
        raise ImageToPrintError(f"wrong model signature: output {outputs[0].name} is {out_shape}, "
                                "expected [1, H, W]")
    fixed = [dim if isinstance(dim, int) and dim > 0 else None for dim in shape[2:]]
    return inputs[0].name, outputs[0].name, fixed[0], fixed[1]


def preprocess(rgba8: np.ndarray, height: int, width: int, model: DepthModel) -> np.ndarray:
    """RGB (transparent areas on white) -> resized, normalised NCHW float32."""
    from PIL import Image

    rgb = rgba8[..., :3].astype(np.float32)
    alpha = rgba8[..., 3:4].astype(np.float32) / 255.0
    rgb = over_white(rgb, alpha, 255.0)
    im = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB").resize((width, height),
                                                                             Image.Resampling.BICUBIC)
    x = np.asarray(im, dtype=np.float32) / 255.0
    x = (x - np.asarray(model.mean, np.float32)) / np.asarray(model.std, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None], dtype=np.float32)


def normalise(disparity: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Disparity scaled to [0, 1] inside the mask by its 2nd and 98th percentiles."""
    inside = disparity[mask]
    lo, hi = np.percentile(inside, [2, 98]) if inside.size else (0.0, 1.0)
    if hi - lo < 1e-9:
        return np.zeros_like(disparity)
    return np.clip((disparity - lo) / (hi - lo), 0.0, 1.0) * mask


def input_size(fixed_h, fixed_w, model: DepthModel) -> tuple[int, int]:
    def snap(value):
        return max(model.multiple, int(round(value / model.multiple)) * model.multiple)

    return (fixed_h or snap(model.input_size), fixed_w or snap(model.input_size))


class OnnxDepthBackend(Backend):
    name = "onnx"
    label = "Depth model (ONNX, offline)"
    description = "A local monocular depth model adds depth detail to the inflated silhouette"
    licence = "Depth Anything V2 Small: Apache-2.0; MiDaS v2.1 small: MIT"

    def available(self, job: Job) -> tuple[bool, str]:
        if job.model not in MODELS:
            return False, f"unknown depth model '{job.model}' (choose from {', '.join(MODELS)})"
        return True, ""

    def run(self, job: Job, progress: Progress, cancel: threading.Event) -> HeightFields:
        model = MODELS[job.model]
        progress(0.05, "loading the depth model")
        session = _session(job.model_path)
        in_name, out_name, fixed_h, fixed_w = signature(session)
        height, width = input_size(fixed_h, fixed_w, model)
        check_cancel(cancel)
        img = job.image
        progress(0.2, "estimating depth")
        try:
            out = session.run([out_name], {in_name: preprocess(img.rgba8, height, width, model)})[0]
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ImageToPrintError(f"the depth model failed to run: {first[:160]}") from None
        out = np.asarray(out, dtype=np.float32)
        if out.ndim == 4:
            out = out[:, 0]
        if out.ndim != 3 or out.shape[0] != 1:
            raise ImageToPrintError(f"wrong model output shape {list(out.shape)}, expected [1, H, W]")
        check_cancel(cancel)
        progress(0.7, "building the height fields")
        cols, rows = grid_for(img.width, img.height, job.resolution)
        mask_full, how = foreground(img.rgba8, img.alpha, job.mask_path)
        mask = solid_mask(np.pad(resample(mask_full.astype(np.float32), cols, rows, method="box") >= 0.5, 1))
        if not mask.any():
            raise ImageToPrintError("the foreground is too small for this resolution")
        disparity = np.pad(resample(out[0], cols, rows, method="box"), 1, mode="edge")
        detail = 2.0 * normalise(disparity, mask) - 1.0
        mask, left_out = one_piece(mask)
        warnings = [left_out] if left_out else []
        if touches_border(mask_full):
            warnings.append("the foreground touches the image border: the object may be cut off there")
        depth_job = Job(image=img, size_mm=job.size_mm, flat_back=job.flat_back,
                        min_thickness_mm=job.min_thickness_mm, inflation=job.inflation, detail_mm=job.depth_mm)
        result = heightfields_from(mask, detail, depth_job, warnings)
        result.meta.update({"model": model.label, "licence": model.licence, "input": [in_name, height, width],
                            "output": out_name, "mask_from": how, "pad": 1})
        progress(1.0, "done")
        return result
