# SPDX-License-Identifier: GPL-3.0-or-later
"""Filament-swap reliefs in Blender: the plan on the object, its viewport colours, what slicers read.

The plan lives on the object as ``Object.image_to_print_swaps`` (one entry per filament, bottom up: from
which layer, its colour and TD), so the panel can edit it; the layer heights are in
``obj["image_to_print"]["swap"]``. A palette image holds the simulated colour on top of a stack of each
height (``core.swap.palette``), and the object's material looks it up by the height of each point, so
the viewport shows the plan; editing the plan repaints the palette.
"""

from __future__ import annotations

from typing import cast

import bpy

from ..ui.swap_plan import plan_of
from . import blender_mesh

PALETTE_KEY = "image_to_print_palette"


def store_plan(obj, plan, made: list) -> None:
    """Put a core ``SwapPlan`` on ``obj``: its entries, layer heights, the palette image and material."""
    obj["image_to_print"]["swap"] = {"first_layer_mm": plan.first_layer_mm, "layer_mm": plan.layer_mm,
                                     "base_layers": plan.base_layers, "top_layers": plan.top_layers,
                                     "delta_e_mean": plan.delta_e_mean, "delta_e_naive": plan.delta_e_naive}
    entries = obj.image_to_print_swaps
    entries.clear()
    for start, filament in zip(plan.starts, plan.filaments):
        entry = entries.add()
        entry["layer"] = int(start)  # item access: no update callback while it is being filled
        entry["colour"] = _rgb(filament.colour)
        entry["td_mm"] = float(filament.td_mm)
    image = bpy.data.images.new(f"{obj.name} Swap Colours", plan.top_layers + 1, 1, alpha=True)
    made.append(image)
    obj[PALETTE_KEY] = image.name
    obj.data.materials.append(_material(obj, image, plan, made))
    refresh(obj)
    image.pack()


def _rgb(colour: str) -> tuple[float, float, float]:
    return (int(colour[1:3], 16) / 255.0, int(colour[3:5], 16) / 255.0, int(colour[5:7], 16) / 255.0)


def colours(plan: dict):
    """(top_layers + 1, 3) linear RGB of a plan from :func:`plan_of`."""
    from ..core.swap import Filament, palette

    filaments = [Filament(plan["first"]["colour"], plan["first"]["td_mm"])]
    filaments += [Filament(s["colour"], s["td_mm"]) for s in plan["swaps"]]
    starts = [1] + [s["layer"] for s in plan["swaps"]]
    return palette(filaments, starts, plan["top_layers"], plan["first_layer_mm"], plan["layer_mm"])


def refresh(obj) -> None:
    """Repaint the palette from the plan as it is now (the panel's edits)."""
    import numpy as np

    from ..core.image import linear_to_srgb

    plan = plan_of(obj)
    image = bpy.data.images.get(obj.get(PALETTE_KEY, ""))
    if plan is None or image is None:
        return
    rgba = np.ones((plan["top_layers"] + 1, 4), np.float32)
    rgba[:, :3] = linear_to_srgb(colours(plan))
    image.pixels.foreach_set(rgba.ravel())
    image.update()
    if image.packed_file is not None:
        image.pack()


def _material(obj, image, plan, made):
    """A material that colours each point by the palette entry of its height: u = (layers + 0.5) / count."""
    from . import compat

    mat = compat.node_material(f"{obj.name} Swap Colours")
    made.append(mat)
    nodes, links = mat.node_tree.nodes, mat.node_tree.links
    bsdf = next(n for n in nodes if n.type == 'BSDF_PRINCIPLED')
    coords = nodes.new('ShaderNodeTexCoord')
    split = nodes.new('ShaderNodeSeparateXYZ')
    to_u = cast(bpy.types.ShaderNodeMath, nodes.new('ShaderNodeMath'))
    to_u.operation = 'MULTIPLY_ADD'
    to_u.label = "Height to Palette"
    count = plan.top_layers + 1
    mm_per_unit = 1.0 / blender_mesh.units_per_mm(bpy.context.scene)
    # layers on top at height z (mm): n = (z - first) / layer + 1; u = (n + 0.5) / count
    to_u.inputs[1].default_value = mm_per_unit / (plan.layer_mm * count)
    to_u.inputs[2].default_value = (1.5 - plan.first_layer_mm / plan.layer_mm) / count
    join = nodes.new('ShaderNodeCombineXYZ')
    join.inputs[1].default_value = 0.5
    tex = cast(bpy.types.ShaderNodeTexImage, nodes.new('ShaderNodeTexImage'))
    tex.image = image
    tex.interpolation = 'Closest'
    tex.extension = 'EXTEND'
    links.new(coords.outputs['Object'], split.inputs[0])
    links.new(split.outputs['Z'], to_u.inputs[0])
    links.new(to_u.outputs[0], join.inputs[0])
    links.new(join.outputs[0], tex.inputs['Vector'])
    links.new(tex.outputs['Color'], bsdf.inputs['Base Color'])
    for i, node in enumerate((coords, split, to_u, join, tex)):
        node.location = (bsdf.location[0] - 1200 + 230 * i, bsdf.location[1])
    return mat


def _first_plan(objects) -> dict | None:
    return next((plan for plan in map(plan_of, objects) if plan is not None), None)


def slicer_parts(objects) -> dict[str, bytes]:
    """The 3MF package parts that carry the colour changes of the first object with a plan."""
    from ..core.swap import bambu_xml, prusa_xml

    plan = _first_plan(objects)
    if plan is None:
        return {}
    return {"Metadata/Prusa_Slicer_custom_gcode_per_print_z.xml": prusa_xml(plan["swaps"]),
            "Metadata/custom_gcode_per_layer.xml": bambu_xml(plan["swaps"])}


def table(objects) -> str:
    """The swap table of the first object with a plan, or ""."""
    from ..core.swap import Filament, swap_table

    plan = _first_plan(objects)
    if plan is None:
        return ""
    first = Filament(plan["first"]["colour"], plan["first"]["td_mm"])
    return swap_table(first, plan["swaps"], plan["first_layer_mm"], plan["layer_mm"])
