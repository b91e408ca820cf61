# SPDX-License-Identifier: GPL-3.0-or-later
"""Each setting is declared once (core/schema.py); the sidebar, operators and command line agree with it."""

import importlib
import math

import bpy
import pytest


def _routes(ext):
    core = ext.core
    ai_settings = importlib.import_module(ext.__name__ + ".core.ai.settings").AISettings
    trace_settings = importlib.import_module(ext.__name__ + ".core.trace.settings").TraceSettings
    limits = importlib.import_module(ext.__name__ + ".core.limits").CheckDefaults
    return {"relief": (core.settings.ReliefSettings, "image_to_print.relief"),
            "trace": (trace_settings, "image_to_print.trace"),
            "ai": (ai_settings, "image_to_print.ai_mesh"),
            "check": (limits, None)}


def test_ai_depth_is_its_own_setting_not_the_reliefs(ext, scene):
    """Regression: one Scene group held both routes' ``depth_mm``, so the AI panel showed (and changed)
    the relief's 2.5 mm "Depth" while File > Import used 4 mm "Depth Detail"."""
    settings = scene.image_to_print
    assert settings.relief.depth_mm == pytest.approx(2.5)
    assert settings.ai.depth_mm == pytest.approx(4.0)
    settings.relief.depth_mm = 7.0
    assert settings.ai.depth_mm == pytest.approx(4.0)
    settings.ai.depth_mm = 9.0
    assert settings.relief.depth_mm == pytest.approx(7.0)
    rna = settings.ai.bl_rna.properties["depth_mm"]
    assert rna.name == "Depth Detail"
    operator = bpy.ops.image_to_print.ai_mesh.get_rna_type().properties["depth_mm"]
    assert operator.name == "Depth Detail" and operator.default == pytest.approx(4.0)


@pytest.mark.parametrize("route", ["relief", "trace", "ai", "check"])
def test_sidebar_and_operator_properties_are_the_declared_settings(ext, scene, route):
    schema = importlib.import_module(ext.__name__ + ".core.schema")
    cls, operator = _routes(ext)[route]
    group = getattr(scene.image_to_print, route).bl_rna.properties
    module, name = operator.split(".") if operator else (None, None)
    holders = [group] + ([getattr(getattr(bpy.ops, module), name).get_rna_type().properties] if operator else [])
    declared = [s for s in schema.settings_of(cls) if s.spec.ui]
    assert declared
    for props in holders:
        for s in declared:
            prop = props[s.prop_name]
            assert prop.name == s.spec.label, s.name
            assert prop.description == s.describe(), s.name
            default = s.default if s.default is not None else s.spec.none_default
            if s.kind == "enum":
                assert prop.default == default and [i.identifier for i in prop.enum_items] == [
                    i[0] for i in s.spec.items]
            elif s.kind in ("colour", "vector"):
                assert tuple(prop.default_array) == pytest.approx(default)
            elif s.spec.unit == "deg":
                assert prop.subtype == 'ANGLE' and prop.default == pytest.approx(math.radians(default))
                assert prop.hard_max == pytest.approx(math.radians(s.spec.max))
            else:
                assert prop.default == pytest.approx(default), s.name
                if s.spec.min is not None:
                    assert prop.hard_min == pytest.approx(s.spec.min), s.name
            if s.spec.none_switch:
                switch = props[s.spec.none_switch[0]]
                assert switch.name == s.spec.none_switch[1]
        # nothing else than the declared settings, their switches and the group's own fields
        own = {"rna_type", "name", "image_path", "preview", "filepath", "filter_glob", "from_scene", "directory",
               "files", "relative_path", "hide_props_region", "check_existing", "filter_image", "filter_folder"}
        switches = {s.spec.none_switch[0] for s in declared if s.spec.none_switch}
        extra = {p.identifier for p in props} - own - switches - {s.prop_name for s in declared}
        assert not extra, extra


def test_one_nozzle_serves_the_checks_and_the_trace_warnings(ext, scene):
    assert "nozzle_mm" not in bpy.ops.image_to_print.trace.get_rna_type().properties
    assert "nozzle_mm" not in scene.image_to_print.trace.bl_rna.properties
    assert scene.image_to_print.check.nozzle_mm == pytest.approx(0.4)
    labels = {}
    for route in ("relief", "ai", "check"):
        for prop in getattr(scene.image_to_print, route).bl_rna.properties:
            labels.setdefault(prop.name, set()).add(route)
    assert "Nozzle" in labels and labels["Nozzle"] == {"check"}
    assert not [name for name, routes in labels.items() if "Thickness" in name and len(routes) > 1]


def test_command_line_flags_are_the_declared_settings(ext):
    schema = importlib.import_module(ext.__name__ + ".core.schema")
    parser = ext.cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices
    handwritten = {"relief": {"--preset", "--levels", "--report", "--preview", "--max-triangles"},
                   "trace": {"--mode", "--threshold", "--background", "--report", "--nozzle", "--max-triangles"},
                   "ai": {"--model", "--depth-model", "--server", "--report", "--max-triangles"},
                   "check": {"--report", "--max-triangles"}}
    for route, (cls, _op) in _routes(ext).items():
        flags = {o: a for a in sub[route]._actions for o in a.option_strings if o.startswith("--")}
        declared = {s.flag: s for s in schema.settings_of(cls) if s.flag}
        for flag, s in declared.items():
            assert flag in flags, (route, flag)
            action = flags[flag]
            assert action.dest == s.name and action.default is None
            if s.kind not in ("bool",) and s.spec.flag_value is None:
                assert "default" in action.help, (route, flag, action.help)
        extra = set(flags) - set(declared) - handwritten[route] - {"--help", "--output"}
        assert not extra, (route, extra)
