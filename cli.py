# SPDX-License-Identifier: GPL-3.0-or-later
"""Headless command line: ``blender -b -c image_to_print SUBCOMMAND ...``.

The launcher ``./image-to-print`` runs the same :func:`main` inside the
``bpy`` wheel, so flags, output and exit codes are identical.

Exit codes: 0 success, 1 bad usage or unreadable input (one line on stderr),
3 a mesh was written but fails the blocking print checks.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

EXIT_OK, EXIT_USAGE, EXIT_NOT_PRINTABLE = 0, 1, 3
PROG = "image_to_print"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 1 (argparse would exit 2)
        raise _UsageError(f"{self.prog}: {message}")

    def exit(self, status=0, message=None):
        if message:
            sys.stderr.write(message)
        raise SystemExit(status)


def _mm(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in mm, got '{text}'") from None
    return value


def build_parser() -> argparse.ArgumentParser:
    from .core.settings import PRESETS, ReliefSettings

    d = ReliefSettings()
    parser = _Parser(prog=PROG, description="Image to Print: turn an image into a checked, printable solid.")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", parser_class=_Parser)
    p = sub.add_parser("relief", help="image -> relief or lithophane (STL/GLB + JSON report)",
                       description="Make a relief or lithophane from IMAGE and export it. "
                                   "The output format follows each -o extension (.stl, .glb).")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("-o", "--output", action="append", required=True, metavar="OUT",
                   help="output file: .stl (binary, mm), .3mf (mm), .obj (mm) or .glb; repeat for several")
    p.add_argument("--preset", choices=list(PRESETS), default="relief", help="starting settings (default: relief)")
    p.add_argument("--width", type=_mm, metavar="MM", help=f"overall width in mm (default {d.width_mm:g})")
    p.add_argument("--sample-mm", type=_mm, metavar="MM",
                   help=f"sample spacing in mm (default {d.sample_mm:g}, about half a 0.4 mm nozzle)")
    p.add_argument("--native", action="store_true", help="one sample per source pixel")
    p.add_argument("--depth", type=_mm, metavar="MM", help=f"relief depth in mm (default {d.depth_mm:g})")
    p.add_argument("--base", type=_mm, metavar="MM", help=f"base thickness in mm (default {d.base_mm:g})")
    p.add_argument("--lighter-is-higher", action="store_true", help="light pixels are raised")
    p.add_argument("--min-thickness", type=_mm, metavar="MM",
                   help=f"lithophane: thinnest wall in mm (default {d.min_thickness_mm:g})")
    p.add_argument("--max-thickness", type=_mm, metavar="MM",
                   help=f"lithophane: thickest wall in mm (default {d.max_thickness_mm:g})")
    p.add_argument("--translucency", action="store_true",
                   help="lithophane: Beer-Lambert thickness model instead of linear")
    p.add_argument("--transmittance", type=float, metavar="T",
                   help=f"lithophane: light fraction through 1 mm (default {d.transmittance_1mm:g})")
    p.add_argument("--curve", type=float, metavar="DEG", help="bend on an arc of DEG degrees (0-180)")
    p.add_argument("--alpha", choices=("base", "cut"), help="transparent pixels: keep at base (default) or cut out")
    p.add_argument("--invert", action="store_true", help="invert grey levels")
    p.add_argument("--gamma", type=float, help="gamma (default 1)")
    p.add_argument("--levels", type=float, nargs=2, metavar=("BLACK", "WHITE"), help="input levels, 0..1")
    p.add_argument("--smoothing", type=float, metavar="SAMPLES",
                   help=f"edge-preserving smoothing radius in samples, 0 = off (default {d.smoothing:g})")
    p.add_argument("--frame", type=float, metavar="MM", help="frame width in mm")
    p.add_argument("--frame-height", type=float, metavar="MM", help="frame height in mm (default: top of relief)")
    p.add_argument("--hole", type=float, metavar="MM", help="hanging hole diameter in mm")
    p.add_argument("--adaptive", action="store_true", help="adaptive triangulation with bounded error")
    p.add_argument("--max-error", type=float, metavar="MM",
                   help=f"adaptive: max error in mm (default {d.max_error_mm:g})")
    p.add_argument("--max-megapixels", type=float, metavar="MP",
                   help=f"refuse larger images, 0 = no limit (default {d.max_megapixels:g})")
    p.add_argument("--report", metavar="PATH", help="write a JSON report")

    a = sub.add_parser("ai", help="image -> full 3D object (built-in, ONNX depth model, or a server)",
                       description="Infer a 3D object from IMAGE, make it printable and export it. Backends: "
                                   "builtin (geometric inflation, not AI; offline), onnx (local depth model, "
                                   "--model PATH), hunyuan (your Hunyuan3D-2 server, --server URL), tripo (needs "
                                   "TRIPO_API_KEY). Remote servers other than this computer need online access.")
    a.add_argument("image", metavar="IMAGE")
    a.add_argument("-o", "--output", action="append", required=True, metavar="OUT",
                   help="output file: .stl, .3mf, .obj (mm) or .glb; repeat for several")
    a.add_argument("--backend", choices=("builtin", "onnx", "hunyuan", "tripo"), default="builtin")
    a.add_argument("--model", metavar="PATH", help="depth model .onnx file (onnx backend)")
    a.add_argument("--depth-model", choices=("depth-anything-v2-small", "midas-v2.1-small"),
                   default="depth-anything-v2-small", help="which model --model is (pre/post-processing)")
    a.add_argument("--server", metavar="URL", help="server address (hunyuan, tripo)")
    a.add_argument("--size", type=_mm, default=80.0, metavar="MM", help="largest dimension of the result (default 80)")
    a.add_argument("--symmetric", action="store_true", help="mirrored back instead of a flat back")
    a.add_argument("--min-thickness", type=_mm, default=1.2, metavar="MM", help="thinnest anywhere (default 1.2)")
    a.add_argument("--inflation", type=float, default=0.6, help="bulge relative to half-width (default 0.6)")
    a.add_argument("--detail", type=float, default=0.6, metavar="MM", help="shading detail, builtin (default 0.6)")
    a.add_argument("--depth", type=float, default=4.0, metavar="MM", help="depth detail, onnx (default 4)")
    a.add_argument("--resolution", type=int, default=320, help="samples along the longest side (default 320)")
    a.add_argument("--timeout", type=float, default=600.0, metavar="S", help="remote job deadline (default 600)")
    a.add_argument("--report", metavar="PATH", help="write a JSON report")

    t = sub.add_parser("trace", help="logo or line art -> traced, extruded solid (plate, keychain, cutter, stamp)",
                       description="Trace IMAGE into Bezier curves, extrude them into a printable solid and export "
                                   "it. Each mode starts from its preset; flags override it. All parts go into "
                                   "each output file (3MF: one object per part).")
    t.add_argument("image", metavar="IMAGE")
    t.add_argument("-o", "--output", action="append", required=True, metavar="OUT",
                   help="output file: .stl, .3mf, .obj (mm) or .glb; repeat for several")
    t.add_argument("--mode", choices=("plate", "keychain", "cutter", "stamp", "multi"), default="plate",
                   help="what to make (default plate)")
    t.add_argument("--width", type=_mm, metavar="MM", help="width of the traced design itself, in mm")
    t.add_argument("--height", type=_mm, metavar="MM",
                   help="how far the design stands up in mm (cutter: blade height)")
    t.add_argument("--base", type=_mm, metavar="MM", help="plate under the design in mm, 0 for none")
    t.add_argument("--margin", type=_mm, metavar="MM", help="base plate beyond the design in mm")
    t.add_argument("--base-shape", choices=("outline", "rectangle"), help="base plate shape")
    t.add_argument("--hole", type=_mm, metavar="MM", help="keyring hole diameter in mm, 0 for none")
    t.add_argument("--hole-position", choices=("top", "left", "right", "bottom"), help="where the hole goes")
    t.add_argument("--bevel", type=_mm, metavar="MM", help="rounded design edges in mm")
    t.add_argument("--threshold", default="auto", metavar="auto|0..1",
                   help="brightness cutoff: darker is ink (default auto: Otsu)")
    t.add_argument("--invert", action="store_true", help="swap ink and background")
    t.add_argument("--ink", choices=("auto", "luminance", "alpha", "color"), default="auto",
                   help="what counts as ink: auto (transparency if any, else dark), luminance, alpha (opaque), "
                        "color (differs from the background colour)")
    t.add_argument("--background", metavar="RRGGBB", help="background colour for --ink color (default: border)")
    t.add_argument("--speckle", type=float, metavar="MM2", help="drop ink pieces smaller than this (mm²)")
    t.add_argument("--fill-holes", type=float, metavar="MM2", help="fill holes smaller than this (mm²)")
    t.add_argument("--smooth", type=_mm, metavar="MM", help="round jaggies smaller than this before tracing")
    t.add_argument("--engine", choices=("potrace", "fast"), default="potrace",
                   help="potrace (faithful, default) or fast (vtracer)")
    t.add_argument("--corner-threshold", type=float, metavar="A",
                   help="0 = polygon ... 1.334 = no corners (default 1)")
    t.add_argument("--optimize", type=float, metavar="PX", help="curve optimisation tolerance, 0 = off (default 0.2)")
    t.add_argument("--wall", type=_mm, metavar="MM", help="cutter wall thickness (default 1)")
    t.add_argument("--flange", type=_mm, metavar="MM", help="cutter flange width, 0 for none (default 5)")
    t.add_argument("--flange-thickness", type=_mm, metavar="MM", help="cutter flange thickness (default 2)")
    t.add_argument("--imprint", action="store_true", help="cutter: inner outlines as shorter imprint walls")
    t.add_argument("--colours", type=int, metavar="N", help="multi: number of colours (default 3)")
    t.add_argument("--nozzle", type=_mm, metavar="MM", help="nozzle width for the narrow-feature warning (0.4)")
    t.add_argument("--max-megapixels", type=float, metavar="MP", help="refuse larger images, 0 = no limit")
    t.add_argument("--report", metavar="PATH", help="write a JSON report")

    c = sub.add_parser("check", help="print checks of a mesh file (STL, OBJ, PLY, GLB)",
                       description="Check MESH for printability, on the mesh in millimetres (STL, OBJ and PLY "
                                   "are taken as mm, glTF as metres). Exit 0 printable, 3 not printable.")
    c.add_argument("mesh", metavar="MESH")
    c.add_argument("--report", metavar="PATH", help="write a JSON report")
    c.add_argument("--min-thickness", type=_mm, metavar="MM", help="thinnest wall in mm (default 0.8)")
    c.add_argument("--overhang", type=float, metavar="DEG", help="overhang limit in degrees (default 45)")
    c.add_argument("--build-volume", type=_mm, nargs=3, metavar=("X", "Y", "Z"),
                   help="printer build volume in mm (default 256 256 256)")
    return parser


def _settings_from_args(args):
    from .core.relief import apply_preset
    from .core.settings import ReliefSettings

    s = apply_preset(ReliefSettings(), args.preset)
    simple = {
        "width": "width_mm", "sample_mm": "sample_mm", "depth": "depth_mm", "base": "base_mm",
        "min_thickness": "min_thickness_mm", "max_thickness": "max_thickness_mm",
        "transmittance": "transmittance_1mm", "curve": "curve_angle_deg", "gamma": "gamma",
        "smoothing": "smoothing", "frame": "frame_width_mm", "frame_height": "frame_height_mm",
        "hole": "hole_diameter_mm", "max_error": "max_error_mm", "max_megapixels": "max_megapixels",
    }
    for arg, field in simple.items():
        value = getattr(args, arg)
        if value is not None:
            setattr(s, field, value)
    if args.native:
        s.native_resolution = True
    if args.lighter_is_higher:
        s.lighter_is_higher = True
    if args.translucency:
        s.translucency = "BEER_LAMBERT"
    if args.alpha:
        s.alpha_mode = args.alpha.upper()
    if args.invert:
        s.invert = True
    if args.levels:
        s.black_point, s.white_point = args.levels
    if args.adaptive:
        s.adaptive = True
    return s


def _context():
    import bpy

    context = bpy.context
    if context.scene is None:
        raise RuntimeError("no scene available")
    return context


def _outputs(args) -> tuple[list[str], str | None]:
    """(the -o files, the report file), checked before any work: writable, and a format we export."""
    from .core.errors import ImageToPrintError
    from .core.report import check_writable
    from .operators.export import FORMATS

    outputs = [check_writable(path) for path in args.output]
    for path in outputs:
        if os.path.splitext(path)[1].lower() not in FORMATS:
            raise ImageToPrintError(f"unsupported output format: {path} (use .stl, .3mf, .obj or .glb)")
    return outputs, (check_writable(args.report) if args.report else None)


def _finish(name, report, written, report_path, warnings) -> int:
    """Write the report, print what was written and the verdict; the exit code."""
    from .core.report import write_json

    if report_path:
        write_json(report_path, report)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for path in written:
        print(f"wrote {path}")
    if report_path:
        print(f"wrote {report_path}")
    size = " x ".join(f"{v:.2f}" for v in report["bbox_mm"])
    verdict = "printable" if report["printable"] else "NOT printable (" + ", ".join(report["blocking"]) + ")"
    print(f"{name}: {size} mm, {report['triangles']} triangles, {report['volume_mm3']:.1f} mm3, {verdict}")
    return EXIT_OK if report["printable"] else EXIT_NOT_PRINTABLE


@contextlib.contextmanager
def _removed_on_failure(obj):
    """Remove ``obj`` and its mesh if the block fails, so nothing half-made stays in the scene."""
    import bpy

    try:
        yield
    except BaseException:
        mesh = obj.data
        bpy.data.objects.remove(obj)
        bpy.data.meshes.remove(mesh)
        raise


def run_relief(args) -> int:
    import bpy

    from .core.relief import validate
    from .operators.check import check_object
    from .operators.export import export_object
    from .operators.relief import build_relief

    settings = _settings_from_args(args)
    validate(settings)
    outputs, report_path = _outputs(args)

    context = _context()
    obj, info = build_relief(context, args.image, settings)
    with _removed_on_failure(obj):
        report = check_object(context, obj)
        written = [export_object(context, obj, path) for path in outputs]
    report.update({
        "route": "relief",
        "mode": settings.mode,
        "image": os.path.abspath(args.image),
        "outputs": written,
        "settings": settings.to_dict(),
        "samples": info["samples"],
        "spacing_mm": round(info["spacing_mm"], 6),
        "warnings": info["warnings"],
        "blender": bpy.app.version_string,
    })
    if "max_deviation_mm" in info:
        report["max_deviation_mm"] = info["max_deviation_mm"]
    return _finish(obj.name, report, written, report_path, info["warnings"])


def _trace_settings_from_args(args):
    from .core.errors import ImageToPrintError
    from .core.trace.settings import MODE_PRESET, TRACE_PRESETS, TraceSettings

    mode = args.mode.upper()
    s = TraceSettings.from_dict(TRACE_PRESETS[MODE_PRESET[mode]][2])
    simple = {
        "width": "width_mm", "height": "height_mm", "base": "base_mm", "margin": "margin_mm", "hole": "hole_mm",
        "bevel": "bevel_mm", "speckle": "speckle_mm2", "fill_holes": "hole_mm2", "smooth": "smooth_mm",
        "corner_threshold": "corner_threshold", "optimize": "optimize_tolerance", "wall": "wall_mm",
        "flange": "flange_mm", "flange_thickness": "flange_thickness_mm", "colours": "colours",
        "nozzle": "nozzle_mm", "max_megapixels": "max_megapixels",
    }
    for arg, name in simple.items():
        value = getattr(args, arg)
        if value is not None:
            setattr(s, name, value)
    for arg, name in (("base_shape", "base_shape"), ("hole_position", "hole_position")):
        if getattr(args, arg):
            setattr(s, name, getattr(args, arg).upper())
    s.engine = "FAST" if args.engine == "fast" else "POTRACE"
    s.source = {"color": "COLOR"}.get(args.ink, args.ink.upper())
    s.invert = bool(args.invert)
    s.imprint = bool(args.imprint)
    if args.threshold != "auto":
        try:
            s.threshold = float(args.threshold)
        except ValueError:
            raise ImageToPrintError(f"--threshold must be auto or a number from 0 to 1, got '{args.threshold}'") \
                from None
    if args.background:
        text = args.background.lstrip("#")
        try:
            if len(text) != 6:
                raise ValueError
            s.background = (int(text[0:2], 16) / 255.0, int(text[2:4], 16) / 255.0, int(text[4:6], 16) / 255.0)
        except ValueError:
            raise ImageToPrintError(f"--background must be a colour like ffffff, got '{args.background}'") from None
    return s


def run_trace(args) -> int:
    import bpy

    from .core.trace.plan import validate
    from .operators.check import check_object
    from .operators.export import export_objects
    from .operators.trace import build_traced, remove_traced

    settings = _trace_settings_from_args(args)
    validate(settings)
    outputs, report_path = _outputs(args)
    context = _context()
    objects, plan = build_traced(context, args.image, settings)
    try:
        parts = [check_object(context, obj) for obj in objects]
        written = [export_objects(context, objects, path) for path in outputs]
    except BaseException:
        remove_traced(objects)
        raise
    blocking = sorted({name for r in parts for name in r["blocking"]})
    size = plan.size_mm
    report = {
        "route": "trace",
        "mode": settings.mode,
        "image": os.path.abspath(args.image),
        "outputs": written,
        "bbox_mm": [round(v, 4) for v in size],
        "triangles": sum(r["triangles"] for r in parts),
        "volume_mm3": sum(r["volume_mm3"] for r in parts),
        "printable": not blocking,
        "blocking": blocking,
        "parts": parts,
        "trace": plan.stats,
        "settings": settings.to_dict(),
        "warnings": plan.warnings,
        "blender": bpy.app.version_string,
    }
    name = os.path.splitext(os.path.basename(args.image))[0]
    return _finish(f"{name} ({len(objects)} part{'s' if len(objects) != 1 else ''})", report, written, report_path,
                   plan.warnings)


def run_check(args) -> int:
    import math

    from .core.errors import ImageToPrintError
    from .core.report import check_writable, write_json
    from .operators.check import check_object, thresholds_from_scene
    from .operators.mesh_import import imported_meshes

    report_path = check_writable(args.report) if args.report else None
    context = _context()
    thresholds = thresholds_from_scene(context.scene)
    if args.overhang is not None:
        if not 0.0 <= args.overhang <= 90.0 or math.isnan(args.overhang):
            raise ImageToPrintError(f"overhang must be between 0 and 90 degrees, got {args.overhang}")
        thresholds.overhang_deg = args.overhang
    if args.min_thickness is not None:
        if not args.min_thickness > 0:
            raise ImageToPrintError(f"minimum thickness must be a positive number in mm, got {args.min_thickness}")
        thresholds.min_thickness_mm = args.min_thickness
    if args.build_volume is not None:
        if min(args.build_volume) <= 0:
            raise ImageToPrintError("build volume must be three positive sizes in mm")
        thresholds.build_volume_mm = tuple(args.build_volume)
    with imported_meshes(context, args.mesh) as objects:
        reports = [check_object(context, obj, thresholds) for obj in objects]
    for report in reports:
        report["source"] = os.path.abspath(args.mesh)
    if len(reports) == 1:
        result = reports[0]
    else:
        blocking = sorted({name for r in reports for name in r["blocking"]})
        result = {"objects": reports, "blocking": blocking, "printable": not blocking,
                  "triangles": sum(r["triangles"] for r in reports)}
    if report_path:
        write_json(report_path, result)
        print(f"wrote {report_path}")
    for report in reports:
        size = " x ".join(f"{v:.2f}" for v in report["bbox_mm"])
        verdict = "printable" if report["printable"] else "NOT printable (" + ", ".join(report["blocking"]) + ")"
        print(f"{report['object']}: {size} mm, {report['triangles']} triangles, "
              f"{report['volume_mm3']:.1f} mm3, {verdict}")
        warnings = {k: v for k, v in report["checks"].items()
                    if k not in report["blocking"] and v and not isinstance(v, bool) and k != "shells"}
        if warnings:
            print("  warnings: " + ", ".join(f"{k} {v}" for k, v in warnings.items()))
    return EXIT_OK if result["printable"] else EXIT_NOT_PRINTABLE


def run_ai(args) -> int:
    import types

    import bpy

    from .core.ai import run_job
    from .operators.ai import build_object, make_job
    from .operators.export import export_object

    outputs, report_path = _outputs(args)
    props = types.SimpleNamespace(backend=args.backend, size_mm=args.size, flat_back=not args.symmetric,
                                  wall_mm=args.min_thickness, inflation=args.inflation, detail_mm=args.detail,
                                  depth_mm=args.depth, resolution=args.resolution)
    context = _context()
    job = make_job(context, props, args.image, model_path=os.path.abspath(args.model) if args.model else "",
                   server=args.server or "")
    job.model = args.depth_model
    job.timeout_s = args.timeout
    last = {"text": ""}

    def progress(fraction, text):
        if text != last["text"]:
            last["text"] = text
            print(f"  {round(fraction * 100):3d}% {text}", flush=True)

    result = run_job(args.backend, job, progress)
    obj, report = build_object(context, result, job, args.image)
    with _removed_on_failure(obj):
        written = [export_object(context, obj, path) for path in outputs]
    report.update({"route": "ai", "backend": args.backend, "image": os.path.abspath(args.image),
                   "outputs": written, "warnings": result.warnings, "blender": bpy.app.version_string,
                   "meta": {k: v for k, v in result.meta.items() if isinstance(v, (str, int, float, list))}})
    return _finish(obj.name, report, written, report_path, result.warnings)


COMMANDS = {"relief": run_relief, "trace": run_trace, "check": run_check, "ai": run_ai}


def main(argv: list[str]) -> int:
    """Run one subcommand; return the process exit code.  Never raises."""
    from .core.errors import ImageToPrintError

    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, or argparse's own exit
            return int(exc.code or 0)
        if not args.command:
            parser.print_help()
            return EXIT_USAGE
        return COMMANDS[args.command](args)
    except (_UsageError, ImageToPrintError) as exc:
        message = str(exc)
        prefix = "" if message.startswith(PROG) else f"{PROG}: error: "
        print(prefix + message, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback on the command line
        if os.environ.get("IMAGE_TO_PRINT_DEBUG"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"{PROG}: error: {first} (set IMAGE_TO_PRINT_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_USAGE


_handle = None


def register():
    global _handle
    import bpy

    _handle = bpy.utils.register_cli_command(PROG, main)


def unregister():
    global _handle
    import bpy

    if _handle is not None:
        bpy.utils.unregister_cli_command(_handle)
        _handle = None
