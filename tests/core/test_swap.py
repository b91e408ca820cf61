# SPDX-License-Identifier: GPL-3.0-or-later
"""core.swap: filament-swap reliefs: colour science, the simulated stack, the plan, what slicers read."""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pytest
from core_helpers import make_image
from PIL import Image

from core.errors import ImageToPrintError
from core.relief import apply_preset, plan_relief
from core.settings import ReliefSettings
from core.swap import (
    FILAMENT_PRESETS,
    Filament,
    delta_e_2000,
    layer_z,
    palette,
    parse_filaments,
    plan_swaps,
    prusa_xml,
    srgb_to_lab,
    swap_table,
)

PHOTOS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "photos")
FOUR = "#202020:0.6,#c0392b:1.2,#f1c40f:2.0,#f5f5f5:4.0"

# Sharma, Wu and Dalal (2005), Table 1: pairs and their CIEDE2000
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0009), 7.1792),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514), 0.9082),
]


def test_ciede2000_matches_sharmas_published_pairs():
    a = np.array([p[0] for p in SHARMA])
    b = np.array([p[1] for p in SHARMA])
    np.testing.assert_allclose(delta_e_2000(a, b), [p[2] for p in SHARMA], atol=1e-4)
    np.testing.assert_allclose(delta_e_2000(b, a), [p[2] for p in SHARMA], atol=1e-4)  # symmetric


def test_lab_of_white_black_and_srgb_red():
    lab = srgb_to_lab(np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))
    np.testing.assert_allclose(lab[0], [100, 0, 0], atol=0.01)
    np.testing.assert_allclose(lab[1], [0, 0, 0], atol=0.01)
    np.testing.assert_allclose(lab[2], [53.24, 80.09, 67.20], atol=0.05)


def test_each_layer_lets_ten_to_the_minus_d_over_td_of_the_colour_below_through():
    black, white = Filament("#000000", 1.0), Filament("#ffffff", 0.8)
    colours = palette([black, white], [1, 3], 6, first_layer_mm=0.2, layer_mm=0.1)
    assert colours[0] == pytest.approx([0, 0, 0]) and colours[2] == pytest.approx([0, 0, 0])  # the black base
    through = 10 ** (-0.1 / 0.8)
    for n in range(3, 7):  # n - 2 white layers over black
        assert colours[n] == pytest.approx([1 - through ** (n - 2)] * 3)
    assert layer_z(3, 0.2, 0.1) == pytest.approx(0.4)


def test_filaments_parse_bottom_up_by_colour_and_td_or_preset_name():
    fil = parse_filaments("#202020:0.6, C0392B:1.2,White PLA")
    assert fil == [Filament("#202020", 0.6), Filament("#c0392b", 1.2), Filament(*FILAMENT_PRESETS["White PLA"])]
    mine = "Silk Gold=#D4AF37:3.2; White PLA=#ffffff:5"  # the user's own come first
    assert parse_filaments("Silk Gold,White PLA", mine) == [Filament("#d4af37", 3.2), Filament("#ffffff", 5.0)]
    with pytest.raises(ImageToPrintError, match="Name=#rrggbb:TD"):
        parse_filaments("#202020:0.6,#ffffff:1", "Gold #d4af37:3")
    for bad, message in (("#202020:0.6", "2 to 8 filaments"), ("#20202:0.6,#ffffff:1", "#rrggbb:TD"),
                         ("#202020:0,#ffffff:1", "TD must be between"), (",".join(["#ffffff:1"] * 9), "got 9")):
        with pytest.raises(ImageToPrintError, match=message):
            parse_filaments(bad)


@pytest.mark.parametrize("name", ["chelsea.jpg", "coffee.jpg", "gravel.jpg"])
def test_on_photographs_the_chosen_plan_beats_the_naive_one(name):
    im = Image.open(os.path.join(PHOTOS, name)).convert("RGB")
    im.thumbnail((240, 240))
    rgb = np.asarray(im, np.float32) / 255.0
    plan = plan_swaps(rgb, parse_filaments(FOUR), 0.48, 2.08, 0.16, 0.08)
    assert plan.delta_e_mean < plan.delta_e_naive, (plan.delta_e_mean, plan.delta_e_naive)
    assert plan.delta_e_mean < 0.9 * plan.delta_e_naive  # a real gain, not a rounding
    assert plan.starts[0] == 1 and plan.starts == sorted(set(plan.starts))
    assert plan.layers.shape == rgb.shape[:2]
    assert plan.layers.min() >= plan.base_layers == 5 and plan.layers.max() <= plan.top_layers == 25
    # the reported mean is what the simulated print really scores
    sim = srgb_to_lab(plan.simulated().reshape(-1, 3))
    actual = float(delta_e_2000(sim, srgb_to_lab(rgb.reshape(-1, 3))).mean())
    assert actual == pytest.approx(plan.delta_e_mean, abs=0.5)


def test_a_relief_plan_puts_every_sample_on_a_layer_boundary():
    rgb = np.zeros((30, 40, 3), np.float32)
    rgb[:, :, 0] = np.linspace(0, 1, 40)[None, :]
    s = replace(apply_preset(ReliefSettings(), "filament-swap"), width_mm=20.0, sample_mm=0.5)
    img = make_image(rgb.mean(axis=2))
    img = replace(img, rgba8=np.concatenate([(rgb * 255).astype(np.uint8), np.full((30, 40, 1), 255, np.uint8)], 2))
    plan = plan_relief(img, s)
    z = plan.heights_mm()
    n = (z - 0.16) / 0.08 + 1
    assert np.abs(n - np.round(n)).max() < 1e-4
    assert plan.base_mm == pytest.approx(0.48) and plan.base_mm + plan.depth_mm == pytest.approx(2.08)
    assert len(plan.swap.swaps()) == 3


def test_the_slicer_files_and_the_table_say_every_swap():
    swaps = [{"layer": 14, "z_mm": 1.2, "colour": "#c0392b", "td_mm": 1.2},
             {"layer": 20, "z_mm": 1.68, "colour": "#f5f5f5", "td_mm": 4.0}]
    xml = prusa_xml(swaps).decode()
    assert xml.count('gcode="M600"') == 2 and 'print_z="1.2" type="0" extruder="1" color="#c0392b"' in xml
    assert '<mode value="SingleExtruder"/>' in xml
    table = swap_table(Filament("#202020", 0.6), swaps, 0.16, 0.08).splitlines()
    assert table[1] == "Start with #202020 (TD 0.6 mm)"
    assert table[-2:] == ["   14     1.200  #c0392b  1.2", "   20     1.680  #f5f5f5  4"]


def test_too_few_layers_for_the_filaments_is_one_line():
    with pytest.raises(ImageToPrintError, match="need at least 4 layers above the base"):
        plan_swaps(np.zeros((4, 4, 3), np.float32), parse_filaments(FOUR), 0.48, 0.6, 0.16, 0.08)


def test_a_swap_relief_is_flat():
    s = replace(apply_preset(ReliefSettings(), "filament-swap"), curve_angle_deg=90.0)
    with pytest.raises(ImageToPrintError, match="filament-swap relief is flat"):
        plan_relief(make_image(np.zeros((10, 10), np.float32)), s)


def test_the_plan_search_stops_when_cancelled():
    calls = []

    def cancel():
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt

    rgb = np.random.default_rng(0).random((20, 20, 3)).astype(np.float32)
    with pytest.raises(KeyboardInterrupt):
        plan_swaps(rgb, parse_filaments(FOUR), 0.48, 2.08, 0.16, 0.08, cancel)
    assert len(calls) == 3
