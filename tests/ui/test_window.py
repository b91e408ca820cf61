# SPDX-License-Identifier: GPL-3.0-or-later
"""A real Blender window: Debian's Blender under Xvfb (software OpenGL), the zip installed as a user
does, used through the window by ``window_driver.py`` (clicks, keys and typing through Blender's own
event simulation, from timers inside it). One run of the driver; each test reads one part of its log.

The pictures it takes are saved in build/ui/ (the whole screen, and each panel cut out of it); the
README's pictures are copied from there (``make screenshots``). How long the window stops answering
is printed here, and judged over several runs in benchmarks/window_bench.py."""

import os

import numpy as np
import pytest
from PIL import Image
from ui_tier import ROOT, TIER, run_window

PICTURES = os.path.join(ROOT, "build", "ui")
PANELS = ["IMAGE_TO_PRINT_PT_relief", "IMAGE_TO_PRINT_PT_trace", "IMAGE_TO_PRINT_PT_ai",
          "IMAGE_TO_PRINT_PT_check", "IMAGE_TO_PRINT_PT_export"]


@pytest.fixture(scope="module")
def window(installed):
    log = run_window(TIER, installed)
    os.makedirs(PICTURES, exist_ok=True)
    for name, (x, y, w, h) in log["shots"].items():
        screen = Image.open(os.path.join(installed, name + ".png")).convert("RGB")
        screen.save(os.path.join(PICTURES, name + ".png"))
        screen.crop((x, y, x + w, y + h)).save(os.path.join(PICTURES, name + "-sidebar.png"))
    return log


def test_the_driver_ran_to_the_end_without_errors(window):
    assert window["errors"] == [], window["errors"]
    assert window["state_at_end"] == "shades"


def test_the_sidebar_tab_opens_with_a_click(window):
    assert window["sidebar_tab"] == "Image to Print"


def test_every_panel_draws_before_and_after_an_image_is_chosen(window):
    for state in ("no image", "image chosen"):
        assert sorted(set(PANELS) - set(window["drawn"][state])) == [], state
    # while a Create runs, after it, after a cancel and after a failure, the open panel keeps drawing
    for state in ("running", "finished", "cancelled", "failed"):
        assert "IMAGE_TO_PRINT_PT_relief" in window["drawn"][state], state


def test_create_runs_modal_with_its_progress_in_the_panel(window):
    # the window went on answering while it ran, and the task said its stages meanwhile: in the timed
    # Create (whose worker may finish before the first 0.1 s tick, when the window's first frame is slow),
    # or in the longer one (a finer relief, about 2 s) that Esc later stops
    stages = [*window["tasks_seen"], *window["esc"]["relief"]["said"]]
    assert [t for t in stages if t.startswith("Relief: ") and "starting" not in t], \
        (window.get("relief_run"), window["esc"]["relief"])
    if "running-relief" in window["shots"]:  # the picture, when the driver caught it running
        bar = np.asarray(Image.open(os.path.join(PICTURES, "running-relief-sidebar.png")).convert("RGB"), float)
        done = np.asarray(Image.open(os.path.join(PICTURES, "finished-relief-sidebar.png")).convert("RGB"), float)
        assert np.abs(bar - done).mean() > 1.0  # the panel looks different while it runs (the bar)


@pytest.mark.parametrize("name", ["relief", "trace", "ai", "check", "make printable", "export"])
def test_esc_cancels_a_long_operator_and_leaves_the_scene_as_it_was(window, name):
    run = window["esc"][name]
    assert run["task_at_esc"], run  # Esc came while it ran
    assert run["unchanged"], run
    assert "cancelled" in run["notice"].lower(), run


def test_export_through_the_file_browser_writes_the_stl_in_its_modal_run(window):
    assert window["export"]["bytes"] == 84 + 50 * window["export"]["triangles"]  # binary STL, every triangle


def test_a_failure_is_told_in_the_panel_and_changes_nothing(window):
    where, text = window["notice"]["failed"].split("\t", 1)
    assert where == "Relief" and text.startswith("ERROR:"), window["notice"]
    assert "broken.png" in text
    assert window["notice"]["failed unchanged"]
    assert window["notice"]["after another image"] == ""  # choosing another image clears it


def test_the_live_trace_preview_follows_the_threshold(window):
    low, high = window["preview"]["0.3"], window["preview"]["0.7"]
    assert 0.0 < low < high < 1.0  # more of the image is ink when the threshold is higher


def test_f3_finds_the_three_image_as_entries(window):
    assert window["f3"]["image as relief"] == "IMAGE_TO_PRINT_OT_relief"
    assert window["f3"]["image as traced"] == "IMAGE_TO_PRINT_OT_trace"
    assert window["f3"]["image as ai"] == "IMAGE_TO_PRINT_OT_ai_mesh"
    assert all(window["f3"][f"{t} unchanged"] for t in ("image as relief", "image as traced", "image as ai"))


def test_file_import_and_export_list_ours(window):
    assert window["menus"]["TOPBAR_MT_file_import"] == ["draw_import"]
    assert window["menus"]["TOPBAR_MT_file_export"] == ["draw_export"]


def test_f9_rebuilds_the_relief_with_the_width_typed_in_its_popup(window):
    redo = window["redo"]
    assert redo["last"] == ["IMAGE_TO_PRINT_OT_relief"]  # Create from the sidebar is the last operation
    assert redo["before_mm"] == pytest.approx(60.0, abs=0.01)
    assert redo["after_mm"] == [pytest.approx(80.0, abs=0.01)]  # rebuilt, not a second object


def test_the_relief_panel_shows_a_lamp_lit_from_behind_and_a_swap_plan(window):
    shades = window["shades"]
    assert shades["lamp"]["backlit"].endswith("Backlit") and shades["swap"]["backlit"] == ""
    assert len(shades["swap"]["swaps"]) == 4 and shades["swap"]["swaps"][0][0] == 1  # four filaments
    # the pictures: the panel drew something where the backlit picture and the swap list go
    for name in ("lamp-backlit", "swap-plan"):
        side = np.asarray(Image.open(os.path.join(PICTURES, name + "-sidebar.png")).convert("RGB"), float)
        assert side.std() > 20, name


def test_the_checks_use_the_height_field_on_the_relief_as_built(window):
    assert window["method"] == {"relief": "height field", "generic": "generic"}
    assert 600_000 < window["triangles"] < 700_000


def test_the_pictures_are_drawn_windows(window):
    pixels = np.asarray(Image.open(os.path.join(PICTURES, "window.png")).convert("RGB"), dtype=np.float64)
    assert pixels.shape == (800, 1280, 3)
    assert pixels.mean() > 30 and pixels.std() > 20  # a drawn window, not the black of a failed capture


def test_print_how_long_the_window_did_not_answer(window):
    gaps, seconds = window["gaps"], window["seconds"]
    lines = [f"idle {gaps['idle']:.2f} s"] + [f"{name} {gaps[name]:.2f} s of {seconds[name]:.2f} s"
                                             for name in seconds]
    lines += [f"Esc during {name}: stopped {run['esc_to_stop_s']:.2f} s after it, longest stall "
              f"{run['gap_s']:.2f} s" for name, run in window["esc"].items()]
    print("\nlongest time the window did not answer (20 ms heartbeat): " + "; ".join(lines))
    assert set(seconds) >= {"relief create", "trace create", "ai create", "check relief", "check generic"}
