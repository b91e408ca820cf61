# SPDX-License-Identifier: GPL-3.0-or-later
"""AI mesh: one image to a full 3D object, inferred off the main thread.

In the UI the backend runs in a worker thread (no bpy there) while a modal
operator shows progress in the panel; Esc cancels and leaves the scene as it
was.  Headless (``bpy.app.background``) the same pipeline runs synchronously,
because timers do not fire there.  The result becomes a mesh object sized so
its largest dimension is the requested size, placed on the bed, made
printable and checked.
"""

from __future__ import annotations

import os

import bpy

from ..core.ai.settings import AISettings
from ..properties import AIProperties
from . import blender_mesh
from .route import Made, Route, RouteOperator


def _preferences(context):
    from ..properties import preferences

    return preferences(context)


def _check_online(url: str, hint: str = "") -> None:
    """Refuse a server other than this computer while Blender's online access is off."""
    from ..core.ai.http import LOOPBACK, check_url
    from ..core.errors import ImageToPrintError

    host = check_url(url).hostname
    if host not in LOOPBACK and not bpy.app.online_access:
        raise ImageToPrintError("online access is off (Preferences > System > Network > Allow Online Access): "
                                f"{host} cannot be reached{hint}")


def _prepare(context, settings, options: dict) -> dict:
    """Main thread: what the job needs from the preferences, the environment and online access."""
    prefs = _preferences(context)
    backend = settings.backend
    server, model_path, model = options.get("server", ""), options.get("model_path", ""), options.get("model", "")
    api_key = ""
    if prefs is not None:
        server = server or {'hunyuan': prefs.hunyuan_url, 'tripo': prefs.tripo_url}.get(backend, "")
        model_path = model_path or bpy.path.abspath(prefs.depth_model_path)
        api_key = prefs.tripo_api_key
        model = model or prefs.depth_model
    if backend == 'tripo':
        api_key = os.environ.get("TRIPO_API_KEY", "") or api_key
    if backend in ('hunyuan', 'tripo'):
        from ..core.ai.remote import HUNYUAN_URL, TRIPO_URL

        _check_online(server or (HUNYUAN_URL if backend == 'hunyuan' else TRIPO_URL),
                      "; the built-in and depth-model backends work offline")
    return {"server": server, "model_path": model_path, "api_key": api_key,
            "model": model or "depth-anything-v2-small",
            "mask_path": bpy.path.abspath(settings.mask_path) if settings.mask_path else "",  # "//" paths too
            "max_megapixels": prefs.max_megapixels if prefs is not None else 100.0}


def _compute(image_path: str, settings, options: dict, progress=None, cancel=None):
    """The pure half (no bpy, runs in a worker thread from the sidebar): the backend's result."""
    from ..core.ai import Job, run_job
    from ..core.image import load_image

    image = load_image(image_path, options["max_megapixels"])
    values = {**settings.to_dict(), "mask_path": options.get("mask_path", settings.mask_path)}
    job = Job(image=image, **values, model_path=options["model_path"], server=options["server"],
              api_key=options["api_key"], model=options["model"])
    return job, run_job(settings.backend, job, progress, cancel)


def _import_mesh_file(context, path: str) -> list:
    from ..core.errors import ImageToPrintError

    before = set(bpy.data.objects)
    try:
        with blender_mesh.quiet_output():
            bpy.ops.import_scene.gltf(filepath=path)
    except RuntimeError as exc:
        raise ImageToPrintError(f"could not import the generated model: {str(exc).strip().splitlines()[-1]}") \
            from None
    new = [o for o in bpy.data.objects if o not in before]
    meshes = [o for o in new if o.type == 'MESH' and len(o.data.polygons)]
    for o in new:
        if o not in meshes:
            bpy.data.objects.remove(o)
    if not meshes:
        raise ImageToPrintError("the generated model holds no mesh")
    return meshes


def _merge(context, objects, name: str):
    """One object holding every imported mesh in world space (transforms applied)."""
    from mathutils import Matrix

    for o in objects:
        o.data = o.data.copy() if o.data.users > 1 else o.data
        o.data.transform(o.matrix_world)
        o.parent = None
        o.matrix_world = Matrix.Identity(4)
    target = objects[0]
    if len(objects) > 1:
        with context.temp_override(active_object=target, selected_editable_objects=objects,
                                   selected_objects=objects):
            bpy.ops.object.join()
    target.name = name
    target.data.name = name
    return target


def build_steps(context, result, job, image_path: str):
    """The result in the scene: a sized, placed, repaired mesh object, in steps (yields (fraction, what
    comes next)); returns (object, report). Closed before its end (Esc), it removes what it made."""
    import numpy as np
    from mathutils import Matrix

    from ..core.ai import HeightFields
    from ..core.ai.solid import heightfields_to_solid
    from .repair import make_printable_steps

    k = blender_mesh.units_per_mm(context.scene)
    stem = os.path.splitext(os.path.basename(image_path))[0] or "Image"
    name = f"{stem} AI Mesh"
    made: list = []
    try:
        if isinstance(result, HeightFields):
            solid = heightfields_to_solid(result)
            co = solid.co.copy()
            co[:, :2] -= (co[:, :2].min(axis=0) + co[:, :2].max(axis=0)) / 2
            me = blender_mesh.mesh_from_arrays(name, co * k, solid.loop_vert, solid.loop_start,
                                               {blender_mesh.COLOR_UV: solid.uv_color_per_loop()})
            made.append(me)
            image = blender_mesh.image_from_array(f"{name} Image", blender_mesh.texture_rgba(job.image.rgba8),
                                                  float_buffer=False, data=False)
            made.append(image)
            me.materials.append(blender_mesh.image_material(name, image, made))
            obj = bpy.data.objects.new(name, me)
            made.append(obj)
            (context.collection or context.scene.collection).objects.link(obj)
        else:
            imported = _import_mesh_file(context, result.path)
            made.extend(imported)
            obj = _merge(context, imported, name)
            made = [obj]
            # largest dimension -> requested size, bottom on the bed, centred
            co = np.empty(len(obj.data.vertices) * 3, np.float32)
            obj.data.vertices.foreach_get("co", co)
            co = co.reshape(-1, 3)
            lo, hi = co.min(axis=0), co.max(axis=0)
            scale = job.size_mm * k / max(float((hi - lo).max()), 1e-12)
            centre = (lo + hi) / 2
            obj.data.transform(Matrix.Diagonal((scale, scale, scale, 1.0)) @ Matrix.Translation(
                (-centre[0], -centre[1], -lo[2])))
        yield 0.3, "repairing and checking"
        cursor = context.scene.cursor.location
        obj.location = (cursor.x, cursor.y, 0.0)
        blender_mesh.select_only(context, obj)
        obj["image_to_print"] = {"route": "ai", "source": os.path.abspath(image_path), **{
            key: value for key, value in result.meta.items() if isinstance(value, (str, int, float))}}
        target, summary = yield from make_printable_steps(context, obj, in_place=True, merge_mm=0.01,
                                                          min_shell_mm3=1.0, intersections='UNION', voxel_mm=0.2)
        yield 1.0, "done"  # an Esc that came during the repair is taken here, and nothing is kept
    except BaseException:  # GeneratorExit (closed: Esc) included
        # the object's mesh now, too: the repair in place gives it a new one
        now = [made[-1].data] if made and isinstance(made[-1], bpy.types.Object) else []
        blender_mesh.remove_datablocks(*reversed(made), *now)
        raise
    finally:
        if getattr(result, "path", None) and os.path.exists(result.path):
            os.remove(result.path)
    return target, summary["after"]


class IMAGE_TO_PRINT_OT_ai_mesh(AIProperties, RouteOperator, bpy.types.Operator):
    """Infer a full 3D object from one image (built-in geometric method, a local depth model, or a server)"""

    bl_idname = "image_to_print.ai_mesh"
    bl_label = "Image as AI Mesh"
    bl_options = {'REGISTER', 'UNDO'}
    route_name = "ai"

    def summary(self, context, made):
        from .check import summary

        report = made.reports[0]
        return ({'INFO'} if report["printable"] else {'WARNING'}), summary(report)


class IMAGE_TO_PRINT_OT_download_model(bpy.types.Operator):
    """Download the default depth model (Depth Anything V2 Small, Apache-2.0) from its pinned address,
    check its SHA-256 and store it in this extension's user folder"""

    bl_idname = "image_to_print.download_model"
    bl_label = "Download Depth Model"
    bl_options = {'REGISTER'}

    @classmethod
    def poll(cls, context):
        if not bpy.app.online_access:
            cls.poll_message_set("Online access is off (Preferences > System > Network)")
            return False
        return True

    def execute(self, context):
        from ..core.ai.depth import MODELS
        from ..core.ai.download import download
        from ..core.errors import ImageToPrintError

        prefs = _preferences(context)
        model = MODELS["depth-anything-v2-small"]
        if not bpy.app.online_access:
            self.report({'ERROR'}, "Online access is off (Preferences > System > Network)")
            return {'CANCELLED'}
        try:
            folder = bpy.utils.extension_path_user(__package__.rsplit(".", 1)[0], path="models", create=True)
            path = download(model.url, os.path.join(folder, model.filename), model.sha256,
                            max_bytes=int(model.size_bytes * 1.1) + 1)
        except ImageToPrintError as exc:
            self.report({'ERROR'}, str(exc))
            return {'CANCELLED'}
        if prefs is not None:
            prefs.depth_model_path = path
            prefs.depth_model = "depth-anything-v2-small"
        self.report({'INFO'}, f"Depth model stored at {path}")
        return {'FINISHED'}


class IMAGE_TO_PRINT_OT_tripo_balance(bpy.types.Operator):
    """Ask Tripo for the credits left on the account of your API key (the preferences' key, or the
    TRIPO_API_KEY environment variable)"""

    bl_idname = "image_to_print.tripo_balance"
    bl_label = "Check Tripo Balance"
    bl_options = {'REGISTER'}

    def execute(self, context):
        import time

        from ..core.ai.remote import TRIPO_URL, tripo_balance
        from ..core.errors import ImageToPrintError
        from ..ui.state import ACCOUNT

        prefs = _preferences(context)
        key = os.environ.get("TRIPO_API_KEY", "") or (prefs.tripo_api_key if prefs is not None else "")
        try:
            if not key:
                raise ImageToPrintError("no Tripo API key: set it in the preferences or the TRIPO_API_KEY "
                                        "environment variable")
            server = (prefs.tripo_url if prefs is not None else "") or TRIPO_URL
            _check_online(server)
            balance, frozen = tripo_balance(key, server, timeout_s=15.0)
        except ImageToPrintError as exc:
            ACCOUNT["tripo"] = ""
            self.report({'ERROR'}, str(exc))
            return {'CANCELLED'}
        ACCOUNT["tripo"] = (f"{balance:,.0f} credits" + (f", {frozen:,.0f} held by running tasks" if frozen else "")
                            + f" (at {time.strftime('%H:%M')})")
        self.report({'INFO'}, f"Tripo balance: {ACCOUNT['tripo']}")
        return {'FINISHED'}


def _from_args(args):
    from ..core.schema import from_args

    options = {"model_path": os.path.abspath(args.model) if args.model else "", "server": args.server or "",
               "model": args.depth_model, "max_triangles": args.max_triangles}
    return from_args(AISettings(), args), options


def _check_work(image_path: str, settings, options) -> None:
    """The height-field backends make a front and a back grid of ``resolution`` samples across."""
    from ..core.ai import backends
    from ..core.limits import check_work

    backend = backends().get(settings.backend)
    if backend is not None and backend.output == "heightfield":
        res = settings.resolution
        check_work(4 * res * res, "this AI mesh", options.get("max_triangles"), "use a lower --resolution")


def _validate(settings) -> None:
    """The backends check their own inputs; a job needs nothing more up front."""


def _realize(context, image_path: str, settings, options, payload):
    """The main-thread half, in steps (``Route.realize``): the backend's result as a repaired, checked
    object."""
    job, result = payload
    obj, report = yield from build_steps(context, result, job, image_path)
    meta = {k: v for k, v in result.meta.items() if isinstance(v, (str, int, float, list))}
    return Made([obj], obj.name, info={"backend": job.backend, "meta": meta}, warnings=list(result.warnings),
                reports=[report])


ROUTE = Route("ai", "AI mesh", AISettings, _from_args, _validate, _compute, _realize, prepare=_prepare,
              check_work=_check_work, prints_progress=True)
