# SPDX-License-Identifier: GPL-3.0-or-later
"""Every difference between the Blender versions we support (4.2 LTS to 5.3), in one place.

Each helper detects the feature it needs from Blender's own RNA rather than from a
version number where it can, so a point release that back-ports a change is handled
too. Each one has a regression test in ``tests/blender/test_compat.py`` that runs on
every Blender of the test matrix.
"""

from __future__ import annotations

from typing import Any

import bpy


def _interface_identifier(modifier, name: str) -> str:
    for item in modifier.node_group.interface.items_tree:
        if getattr(item, "in_out", None) == 'INPUT' and item.name == name:
            return item.identifier
    raise KeyError(f"the node group {modifier.node_group.name!r} has no input {name!r}")


def node_input_get(modifier, name: str) -> Any:
    """The value of a Geometry Nodes modifier's group input, by its name in the interface."""
    identifier = _interface_identifier(modifier, name)
    properties = getattr(modifier, "properties", None)
    if properties is not None:  # 5.2+: inputs are RNA structs, no longer ID properties on the modifier
        return getattr(properties.inputs, identifier).value
    return modifier[identifier]


def node_input_set(modifier, name: str, value) -> None:
    """Set a Geometry Nodes modifier's group input, by its name in the interface.

    Up to 5.1 the inputs are ID properties of the modifier (``modifier["Socket_1"]``);
    from 5.2 that raises ``TypeError`` and the value lives at
    ``modifier.properties.inputs.Socket_1.value``.
    """
    identifier = _interface_identifier(modifier, name)
    properties = getattr(modifier, "properties", None)
    if properties is not None:
        getattr(properties.inputs, identifier).value = value
    else:
        modifier[identifier] = value


def fill_curve_triangles(node) -> None:
    """Make a Fill Curve node output triangles (a node property until 4.5, a menu socket from 5.0)."""
    if hasattr(node, "mode"):
        node.mode = 'TRIANGLES'
    else:
        node.inputs["Mode"].default_value = 'Triangles'


def node_material(name: str):
    """A new material with a node tree (from 5.0 node materials are the only kind, ``use_nodes`` is gone)."""
    mat = bpy.data.materials.new(name)
    if mat.node_tree is None:
        mat.use_nodes = True
    return mat


def _has_option(operator, name: str) -> bool:
    return name in {p.identifier for p in operator.get_rna_type().properties}


def stl_export(**options) -> None:
    """``wm.stl_export`` of the viewport-evaluated meshes, which is what the checks read.

    From 5.2 the exporter takes ``evaluation_mode`` and defaults to the *render*
    evaluation, so a modifier hidden in renders or with other render levels would
    give an STL that is not the mesh we checked; older versions always export the
    viewport evaluation.
    """
    if _has_option(bpy.ops.wm.stl_export, "evaluation_mode"):
        options.setdefault("evaluation_mode", 'DAG_EVAL_VIEWPORT')
    bpy.ops.wm.stl_export(**options)


def obj_export(**options) -> None:
    """``wm.obj_export`` of the viewport-evaluated meshes (its ``export_eval_mode`` default, said explicitly)."""
    if _has_option(bpy.ops.wm.obj_export, "export_eval_mode"):
        options.setdefault("export_eval_mode", 'DAG_EVAL_VIEWPORT')
    bpy.ops.wm.obj_export(**options)


def boolean_solvers() -> tuple[str, ...]:
    """The Boolean modifier's solvers in this Blender: ('FAST', 'EXACT') in 4.2, + 'MANIFOLD' from 4.5,
    'FAST' renamed 'FLOAT' in 5.x."""
    prop = bpy.types.BooleanModifier.bl_rna.properties["solver"]
    return tuple(item.identifier for item in prop.enum_items)  # type: ignore[attr-defined]


def has_manifold_boolean() -> bool:
    return 'MANIFOLD' in boolean_solvers()
