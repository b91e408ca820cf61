# SPDX-License-Identifier: GPL-3.0-or-later
"""A filament-swap relief's plan as its object holds it now (after the panel's edits): read by the panel,
the export and the viewport colours (``operators/swap.py``)."""

from __future__ import annotations


def _hex(rgb) -> str:
    return "#" + "".join(f"{min(max(round(c * 255), 0), 255):02x}" for c in rgb[:3])


def plan_of(obj) -> dict | None:
    """The object's swap plan as it is now (after any editing): {"first_layer_mm", "layer_mm",
    "top_layers", "first": {colour, td_mm}, "swaps": [{layer, z_mm, colour, td_mm}]}, or None."""
    info = obj.get("image_to_print")
    entries = getattr(obj, "image_to_print_swaps", None)
    if info is None or "swap" not in info or not entries:
        return None
    from ..core.swap import layer_z

    heights = info["swap"]
    first, lh = float(heights["first_layer_mm"]), float(heights["layer_mm"])
    rows = sorted((max(int(e.layer), 1), _hex(e.colour), round(float(e.td_mm), 4)) for e in entries)
    swaps = [{"layer": layer, "z_mm": round(float(layer_z(layer, first, lh)), 6), "colour": colour, "td_mm": td}
             for layer, colour, td in rows[1:]]
    return {"first_layer_mm": first, "layer_mm": lh, "top_layers": int(heights["top_layers"]),
            "base_layers": int(heights["base_layers"]),
            "first": {"colour": rows[0][1], "td_mm": rows[0][2]}, "swaps": swaps}
