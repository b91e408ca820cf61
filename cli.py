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


def build_parser() -> argparse.ArgumentParser:
    """The command line; each route's flags, their help and the defaults shown come from its
    settings' one declaration (``core/schema.py``); only the flags listed here by hand are not settings."""
    from .core.ai.settings import AISettings
    from .core.limits import CheckDefaults
    from .core.relief import apply_preset
    from .core.schema import add_flags
    from .core.settings import PRESETS, ReliefSettings
    from .core.trace.settings import TraceSettings

    parser = _Parser(prog=PROG, description="Image to Print: turn an image into a checked, printable solid.")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", parser_class=_Parser)
    outputs = "output file: .stl (binary, mm), .3mf (mm), .obj (mm) or .glb; repeat for several"
    limit_help = ("stop before building more triangles than this (default: what this machine's free memory "
                  "allows; 0: no limit)")

    p = sub.add_parser("relief", help="image -> relief or lithophane (STL/GLB + JSON report)",
                       description="Make a relief or lithophane from IMAGE and export it. "
                                   "The output format follows each -o extension (.stl, .3mf, .obj, .glb).")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("-o", "--output", action="append", required=True, metavar="OUT", help=outputs)
    p.add_argument("--preset", choices=list(PRESETS), default="relief", help="starting settings (default: relief)")
    add_flags(p, ReliefSettings, apply_preset(ReliefSettings(), "relief"))
    p.add_argument("--levels", type=float, nargs=2, metavar=("BLACK", "WHITE"),
                   help="input levels, 0..1 (the black and white points)")
    p.add_argument("--report", metavar="PATH", help="write a JSON report")
    p.add_argument("--preview", metavar="PNG", help="write a picture of the print lit from behind (Beer-Lambert "
                   "through its thickness, with --transmittance), as the viewer sees it; of a filament-swap "
                   "relief, the print as its swap plan colours it")
    p.add_argument("--max-triangles", type=int, metavar="N", help=limit_help)

    a = sub.add_parser("ai", help="image -> full 3D object (built-in, ONNX depth model, or a server)",
                       description="Infer a 3D object from IMAGE, make it printable and export it. Backends: "
                                   "builtin (geometric inflation, not AI; offline), onnx (local depth model, "
                                   "--model PATH), hunyuan (your Hunyuan3D-2 server, --server URL), tripo (needs "
                                   "TRIPO_API_KEY). Remote servers other than this computer need online access.")
    a.add_argument("image", metavar="IMAGE")
    a.add_argument("-o", "--output", action="append", required=True, metavar="OUT", help=outputs)
    add_flags(a, AISettings)
    a.add_argument("--model", metavar="PATH", help="depth model .onnx file (onnx backend)")
    a.add_argument("--depth-model", choices=("depth-anything-v2-small", "midas-v2.1-small"),
                   default="depth-anything-v2-small", help="which model --model is (pre/post-processing)")
    a.add_argument("--server", metavar="URL", help="server address (hunyuan, tripo)")
    a.add_argument("--report", metavar="PATH", help="write a JSON report")
    a.add_argument("--max-triangles", type=int, metavar="N", help=limit_help)

    t = sub.add_parser("trace", help="logo or line art -> traced, extruded solid (plate, keychain, cutter, stamp)",
                       description="Trace IMAGE into Bezier curves, extrude them into a printable solid and export "
                                   "it. Each mode starts from its preset; flags override it. The parts of one "
                                   "design are united into one solid; multi-colour writes an STL or OBJ per "
                                   "colour (OUT-colour-1.stl, ...), a 3MF or GLB with one object per colour.")
    t.add_argument("image", metavar="IMAGE")
    t.add_argument("-o", "--output", action="append", required=True, metavar="OUT", help=outputs)
    t.add_argument("--mode", choices=("plate", "keychain", "cutter", "stamp", "multi"), default="plate",
                   help="what to make, starting from that mode's preset (default plate)")
    add_flags(t, TraceSettings)
    add_flags(t, CheckDefaults, only=("nozzle_mm",))
    t.add_argument("--threshold", default="auto", metavar="auto|0..1",
                   help="brightness cutoff: darker is ink (default auto: Otsu)")
    t.add_argument("--background", metavar="RRGGBB", help="background colour for --ink color (default: border)")
    t.add_argument("--report", metavar="PATH", help="write a JSON report")
    t.add_argument("--max-triangles", type=int, metavar="N", help=limit_help)

    c = sub.add_parser("check", help="print checks of a mesh file (STL, OBJ, PLY, GLB)",
                       description="Check MESH for printability, on the mesh in millimetres (STL, OBJ and PLY "
                                   "are taken as mm, glTF as metres). Exit 0 printable, 3 not printable.")
    c.add_argument("mesh", metavar="MESH")
    c.add_argument("--max-triangles", type=int, metavar="N", help=limit_help)
    c.add_argument("--report", metavar="PATH", help="write a JSON report")
    add_flags(c, CheckDefaults)
    return parser


def _context():
    import bpy

    context = bpy.context
    if context.scene is None:
        raise RuntimeError("no scene available")
    return context


def _outputs(args) -> tuple[list[str], str | None, str | None]:
    """(the -o files, the report file, the preview picture): a format we write, each folder there (checked
    before any work; ``core.outputs.Outputs`` then proves each folder takes files and that no two paths are
    one)."""
    from .core.errors import ImageToPrintError
    from .core.outputs import check_output_path
    from .operators.export import FORMATS

    outputs = [check_output_path(path) for path in args.output]
    for path in outputs:
        if os.path.splitext(path)[1].lower() not in FORMATS:
            raise ImageToPrintError(f"unsupported output format: {path} (use .stl, .3mf, .obj or .glb)")
    preview = check_output_path(args.preview) if getattr(args, "preview", None) else None
    if preview and os.path.splitext(preview)[1].lower() != ".png":
        raise ImageToPrintError(f"the preview is a PNG picture: {preview} (use .png)")
    return outputs, (check_output_path(args.report) if args.report else None), preview


def _finish(name, report, written, report_path, warnings) -> int:
    """Print what was written and the verdict; the exit code."""
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for path in written:
        print(f"wrote {path}")
    if report_path:
        print(f"wrote {report_path}")
    size = " x ".join(f"{v:.2f}" for v in report["bbox_mm"])
    verdict = "printable" if report["printable"] else "NOT printable (" + ", ".join(report["blocking"]) + ")"
    print(f"{name}: {size} mm, {report['triangles']} triangles, {report['volume_mm3']:.1f} mm3, {verdict}")
    _hints(report)
    return EXIT_OK if report["printable"] else EXIT_NOT_PRINTABLE


def _hints(report: dict) -> None:
    """What to do about each blocking check, on stderr, for every part or object the report holds."""
    from .core.checks import advice

    for part in report.get("parts") or report.get("objects") or [report]:
        if "checks" in part:
            for line in advice(part):
                print(f"hint: {line}", file=sys.stderr)


def run_route(name: str, args) -> int:
    """Every route the same way: flags -> settings, validate, check the paths, build, check, export,
    report, then every file at once. A failure, Ctrl-C or SIGTERM takes back everything it made:
    the objects and every temporary file; files that were there before are left as they were."""
    import bpy

    from .core.outputs import Outputs
    from .core.report import dump_json
    from .operators.blender_mesh import removed_on_failure
    from .operators.check import check_object
    from .operators.export import printed, write_files
    from .operators.route import routes

    route = routes()[name]
    settings, options = route.from_args(args)
    route.validate(settings)
    outputs, report_path, preview_path = _outputs(args)
    inputs = [args.image] + [options[k] for k in ("model_path",) if options.get(k)] + \
        [p for p in (getattr(settings, "mask_path", ""),) if p]
    context = _context()
    last = {"text": ""}

    def progress(fraction, text):
        if text != last["text"]:
            last["text"] = text
            print(f"  {round(fraction * 100):3d}% {text}", flush=True)

    with Outputs(outputs + [report_path, preview_path], inputs) as out:
        made = route.build(context, args.image, settings, options, progress if route.prints_progress else None)
        # the verdict and every file are about the same solids: the parts of one united (export.printed)
        with removed_on_failure(made.objects), printed(context, made.objects) as solids:
            parts = made.reports or [check_object(context, obj) for obj in solids]
            written: list[tuple[str, str]] = []  # (file, what it holds when a file holds one of several)
            for path in outputs:
                written += [(file, note) for file, _, note in write_files(context, solids, out, path)]
            if preview_path and made.preview is not None:
                from PIL import Image

                Image.fromarray((made.preview * 255 + 0.5).astype("uint8")).save(out.temp(preview_path), "PNG")
                written.append((preview_path, "the simulated print" if "swaps" in made.info else "lit from behind"))
            for obj, part in zip(solids, parts):
                info = obj.get("image_to_print")
                if info is not None and "union" in info:  # a solid united from several parts
                    part.update(united=[str(name) for name in info["parts"]], union=info["union"],
                                union_seconds=info["union_seconds"])
                    if info["union"] == "JOINED":
                        made.label = made.label.replace("united into one solid", "joined, not united")
                        made.warnings.append(
                            f"{obj.name}: the parts were too many triangles ({part['triangles']}) to unite without "
                            "Blender 4.5's Manifold solver, or not closed: they are written as they are, "
                            "overlapping; trace fewer details (--speckle, --smooth) or run Make Printable")
            if not made.parts:
                report = dict(parts[0])
            else:
                # one solid: its own order, as check of its file gives it; several: sorted, as check of several
                blocking = list(parts[0]["blocking"]) if len(parts) == 1 else sorted(
                    {b for r in parts for b in r["blocking"]})
                report = {"triangles": sum(r["triangles"] for r in parts),
                          "volume_mm3": sum(r["volume_mm3"] for r in parts),
                          "printable": not blocking, "blocking": blocking, "parts": parts}
            outputs = [file for file, _ in written]
            report.update({"route": route.name, "image": os.path.abspath(args.image), "outputs": outputs,
                           "settings": settings.to_dict(), "warnings": made.warnings,
                           "blender": bpy.app.version_string, **made.info})
            if report_path:
                dump_json(out.temp(report_path), report)
            out.commit()
    return _finish(made.label, report, [f"{file} ({note})" if note else file for file, note in written], report_path,
                   made.warnings)


def run_check(args) -> int:
    from .core.errors import ImageToPrintError
    from .core.outputs import Outputs, check_output_path
    from .core.report import dump_json
    from .core.schema import check_ranges, from_args
    from .operators.check import check_object, thresholds_from_scene
    from .operators.mesh_import import imported_meshes

    report_path = check_output_path(args.report) if args.report else None
    context = _context()
    thresholds = from_args(thresholds_from_scene(context.scene), args)
    check_ranges(thresholds)
    if not thresholds.min_thickness_mm > 0:
        raise ImageToPrintError(f"--min-thickness must be a positive number in mm, got {thresholds.min_thickness_mm:g}")
    with Outputs([report_path], [args.mesh]) as out:
        with imported_meshes(context, args.mesh, args.max_triangles) as objects:
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
            dump_json(out.temp(report_path), result)
        out.commit()
    if report_path:
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
    _hints(result)
    return EXIT_OK if result["printable"] else EXIT_NOT_PRINTABLE


COMMANDS = {"check": run_check}  # and every route, through run_route


class _Signalled(KeyboardInterrupt):
    """SIGTERM (or SIGINT) arrived: unwind, so every ``finally`` takes back what the run made."""


_SIGNALS: list[int] = []


@contextlib.contextmanager
def _signals_unwind():
    """While a command runs, SIGINT and SIGTERM raise :class:`_Signalled` in the main thread (between
    Python steps: a long step in C finishes first), and the old handlers come back afterwards."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        _SIGNALS.append(signum)
        raise _Signalled()

    old = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            old[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):
            pass
    try:
        yield
    finally:
        for sig, previous in old.items():  # None: a handler set from C, which Python cannot put back
            signal.signal(sig, previous if previous is not None else signal.SIG_DFL)


def main(argv: list[str]) -> int:
    """Run one subcommand; return the process exit code.  Never raises."""
    from .core.outputs import remove_live

    _SIGNALS.clear()
    try:
        with _signals_unwind():
            return _main(argv)
    except KeyboardInterrupt:  # a signal between our handlers' scope and the command
        _SIGNALS.append(2)
        return _interrupted()
    finally:
        remove_live()


def _interrupted() -> int:
    """The one line for a signal (``main`` removes the temporary files)."""
    import signal

    signum = _SIGNALS[-1] if _SIGNALS else signal.SIGINT
    name = signal.Signals(signum).name
    print(f"{PROG}: interrupted ({name}); nothing was written", file=sys.stderr)
    return 128 + int(signum)


def _main(argv: list[str]) -> int:
    from .core.errors import ImageToPrintError

    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, or argparse's own exit
            return int(exc.code or 0)
        if not args.command:
            print(f"{PROG}: error: no SUBCOMMAND given (relief, trace, ai or check); see --help", file=sys.stderr)
            return EXIT_USAGE
        if args.command in COMMANDS:
            return COMMANDS[args.command](args)
        return run_route(args.command, args)
    except KeyboardInterrupt:
        return _interrupted()
    except (_UsageError, ImageToPrintError) as exc:
        if _SIGNALS:  # a signal inside Blender's exporter comes back as its error
            return _interrupted()
        message = str(exc)
        prefix = "" if message.startswith(PROG) else f"{PROG}: error: "
        print(prefix + message, file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # never a traceback on the command line
        if _SIGNALS:
            return _interrupted()
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
