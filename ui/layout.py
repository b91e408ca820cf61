# SPDX-License-Identifier: GPL-3.0-or-later
"""The settings layouts of the routes: drawn by the sidebar panels (main sizes, then details) and by the
operators' Redo panels (both)."""


def units_note(layout, context) -> None:
    """In a scene whose unit system is None, Blender shows lengths as bare numbers: say they are mm."""
    if context.scene.unit_settings.system == 'NONE':
        layout.label(text="Lengths in mm", icon='INFO')


def draw_relief_settings(layout, props):
    """Every setting of the relief route: the operator's Redo panel."""
    draw_relief_sizes(layout, props)
    draw_relief_details(layout, props)


def draw_relief_sizes(layout, props):
    """The relief's mode and main sizes: what the panel shows first, after the image and the preset."""
    layout.use_property_split = True
    layout.use_property_decorate = False
    col = layout.column()
    col.prop(props, "mode")
    col.prop(props, "shape")
    col.prop(props, "diameter_mm" if props.shape in {'CYLINDER', 'SPHERE'} else "width_mm")
    if props.shape == 'CYLINDER':
        col.prop(props, "height_mm")
    elif props.shape == 'CURVED':
        col.prop(props, "curve_angle")
    row = col.row()
    row.active = not props.native_resolution
    row.prop(props, "sample_mm")
    col.prop(props, "native_resolution")
    if props.mode in {'RELIEF', 'SWAP'}:
        col.prop(props, "base_mm")
        col.prop(props, "depth_mm")
    else:
        col.prop(props, "min_thickness_mm")
        col.prop(props, "max_thickness_mm")
    if props.mode == 'SWAP':
        col.prop(props, "filaments")
        col.prop(props, "layer_height_mm")
        col.prop(props, "first_layer_mm")


def draw_relief_details(layout, props):
    """The relief's other settings, those of its mode only."""
    layout.use_property_split = True
    layout.use_property_decorate = False
    col = layout.column()
    if props.mode == 'RELIEF':
        col.prop(props, "lighter_is_higher")
    elif props.mode == 'LITHOPHANE':
        col.prop(props, "translucency")
        if props.translucency == 'BEER_LAMBERT':
            col.prop(props, "transmittance_1mm")
    lamp = props.shape in {'CYLINDER', 'SPHERE'}
    if props.shape == 'FLAT':
        if props.curve_angle > 0:  # a flat plate with an angle is bent too (as before shapes)
            col.prop(props, "curve_angle")
    else:
        col.prop(props, "inside_view")
    if lamp:
        col.prop(props, "rim_mm")
        if props.shape == 'CYLINDER':
            col.prop(props, "lip_diameter_mm")
            row = col.row()
            row.active = props.lip_diameter_mm > 0
            row.prop(props, "lip_height_mm")
        else:
            col.prop(props, "opening_mm")
    header, body = layout.panel("image_to_print_tone", default_closed=True)
    header.label(text="Image Adjustments")
    if body:
        row = body.row()
        row.active = not lamp  # a shade keeps transparent pixels at its thinnest
        row.prop(props, "alpha_mode")
        body.prop(props, "black_point")
        body.prop(props, "white_point")
        body.prop(props, "gamma")
        body.prop(props, "smoothing")
        body.prop(props, "invert")
    if lamp:
        return  # a shade has rims, no frame or hanging hole, and the full grid
    header, body = layout.panel("image_to_print_shape", default_closed=True)
    header.label(text="Frame, Hole, Mesh")
    if body:
        body.prop(props, "frame_width_mm")
        row = body.row()
        row.active = props.frame_width_mm > 0
        row.prop(props, "frame_height_mm")
        body.prop(props, "hole_diameter_mm")
        body.prop(props, "adaptive")
        row = body.row()
        row.active = props.adaptive
        row.prop(props, "max_error_mm")


def draw_trace_settings(layout, props):
    """Every setting of the trace route: the operator's Redo panel."""
    draw_trace_sizes(layout, props)
    draw_trace_details(layout, props)


def draw_trace_sizes(layout, props):
    """The trace's mode and main sizes: what the panel shows first, after the image and the preset."""
    layout.use_property_split = True
    layout.use_property_decorate = False
    mode = props.mode
    col = layout.column()
    col.prop(props, "mode")
    col.prop(props, "width_mm")
    col.prop(props, "height_mm", text="Blade Height" if mode == 'CUTTER' else "Height")
    if mode == 'CUTTER':
        col.prop(props, "wall_mm")
    else:
        col.prop(props, "base_mm", text="Block" if mode == 'STAMP' else "Base")


def draw_trace_details(layout, props):
    """The trace's other settings, those of its mode only."""
    layout.use_property_split = True
    layout.use_property_decorate = False
    mode = props.mode
    col = layout.column()
    if mode == 'CUTTER':
        col.prop(props, "flange_mm")
        sub = col.column()
        sub.active = props.flange_mm > 0 or props.imprint
        sub.prop(props, "flange_thickness_mm")
        col.prop(props, "imprint")
        sub = col.column()
        sub.active = props.imprint
        sub.prop(props, "imprint_depth_mm")
    else:
        sub = col.column()
        sub.active = props.base_mm > 0 or mode == 'STAMP'
        sub.prop(props, "base_shape")
        sub.prop(props, "margin_mm")
        if props.base_shape == 'RECTANGLE':
            sub.prop(props, "corner_radius_mm")
        if mode != 'STAMP':
            col.prop(props, "hole_mm")
            sub = col.column()
            sub.active = props.hole_mm > 0
            sub.prop(props, "hole_position")
            sub.prop(props, "ring_mm")
        if mode == 'MULTI':
            col.prop(props, "colours")
        col.prop(props, "bevel_mm")
    header, body = layout.panel("image_to_print_trace_ink", default_closed=False)
    header.label(text="Ink")
    if body:
        body.prop(props, "source")
        if props.source == 'COLOR':
            body.prop(props, "pick_background")
            row = body.row()
            row.active = props.pick_background
            row.prop(props, "background")
            body.prop(props, "colour_tolerance")
        elif props.source != 'ALPHA':
            body.prop(props, "auto_threshold")
            row = body.row()
            row.active = not props.auto_threshold
            row.prop(props, "threshold")
        body.prop(props, "invert")
        body.prop(props, "speckle_mm2")
        body.prop(props, "hole_mm2")
        body.prop(props, "smooth_mm")
    header, body = layout.panel("image_to_print_trace_curves", default_closed=True)
    header.label(text="Tracing")
    if body:
        body.prop(props, "engine")
        body.prop(props, "corner_threshold")
        row = body.row()
        row.active = props.engine == 'POTRACE'
        row.prop(props, "optimize_tolerance")


def draw_swap_plan(layout, obj) -> None:
    """The plan of a filament-swap relief in the panel: each filament's first layer, its height, colour
    and TD, all editable (the viewport colours follow)."""
    from .swap_plan import plan_of

    plan = plan_of(obj)
    if plan is None:
        return
    heights = obj["image_to_print"]["swap"]
    box = layout.box()
    box.label(text="Filament swaps", icon='COLOR')
    box.label(text=f"Simulated ΔE {heights['delta_e_mean']:.1f} (equal bands: {heights['delta_e_naive']:.1f})")
    col = box.column(align=True)
    from ..core.swap import layer_z

    row = col.row(align=True)
    for text in ("Layer", "Z (mm)", "Colour", "TD (mm)"):
        row.label(text=text)
    for entry in obj.image_to_print_swaps:
        row = col.row(align=True)
        z = float(layer_z(max(entry.layer, 1), plan["first_layer_mm"], plan["layer_mm"]))
        row.prop(entry, "layer", text="")
        row.label(text=f"{z:.2f}")
        row.prop(entry, "colour", text="")
        row.prop(entry, "td_mm", text="")
