# SPDX-License-Identifier: GPL-3.0-or-later
"""core.report: output paths are checked up front and files appear atomically."""

from __future__ import annotations

import json
import os

import pytest

from core.errors import ImageToPrintError
from core.outputs import check_output_path as check_writable
from core.report import atomic_path, write_json


def listing(folder):
    return sorted(os.listdir(folder))


# --- check_writable -----------------------------------------------------------------------------

def test_check_writable_returns_an_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check_writable("out.stl") == str(tmp_path / "out.stl")


def test_check_writable_rejects_a_missing_folder(tmp_path):
    with pytest.raises(ImageToPrintError, match="output folder does not exist") as info:
        check_writable(str(tmp_path / "missing" / "out.stl"))
    assert "\n" not in str(info.value)


def test_check_writable_rejects_a_folder_path(tmp_path):
    with pytest.raises(ImageToPrintError, match="is a folder"):
        check_writable(str(tmp_path))
    (tmp_path / "sub.stl").mkdir()
    with pytest.raises(ImageToPrintError, match="is a folder"):
        check_writable(str(tmp_path / "sub.stl"))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write anywhere")
def test_check_writable_rejects_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ImageToPrintError, match="not writable"):
            check_writable(str(folder / "out.stl"))
    finally:
        folder.chmod(0o755)


# --- atomic_path --------------------------------------------------------------------------------

def test_atomic_path_writes_beside_the_target_then_renames(tmp_path):
    target = tmp_path / "model.bin"
    with atomic_path(str(target)) as tmp:
        assert os.path.dirname(tmp) == str(tmp_path)
        assert tmp != str(target)
        assert tmp.endswith(".bin")
        assert not target.exists()
        with open(tmp, "wb") as fh:
            fh.write(b"solid")
    assert target.read_bytes() == b"solid"
    assert listing(tmp_path) == ["model.bin"]


def test_atomic_path_leaves_no_file_when_the_body_raises(tmp_path):
    target = tmp_path / "model.bin"
    with pytest.raises(RuntimeError, match="exporter crashed"):
        with atomic_path(str(target)) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(b"half a mesh")
            raise RuntimeError("exporter crashed")
    assert listing(tmp_path) == []


def test_atomic_path_keeps_the_old_file_when_the_body_raises(tmp_path):
    target = tmp_path / "model.bin"
    target.write_bytes(b"old")
    with pytest.raises(ValueError):
        with atomic_path(str(target)) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(b"new but broken")
            raise ValueError("boom")
    assert target.read_bytes() == b"old"
    assert listing(tmp_path) == ["model.bin"]


def test_atomic_path_replaces_an_existing_file_on_success(tmp_path):
    target = tmp_path / "model.bin"
    target.write_bytes(b"old")
    with atomic_path(str(target)) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(b"new")
    assert target.read_bytes() == b"new"
    assert listing(tmp_path) == ["model.bin"]


@pytest.mark.parametrize("leave", ["empty", "deleted"])
def test_atomic_path_refuses_a_writer_that_wrote_nothing(tmp_path, leave):
    target = tmp_path / "model.glb"
    target.write_bytes(b"old")
    with pytest.raises(ImageToPrintError, match=r"^cannot write .*model.glb: the exporter wrote nothing$"):
        with atomic_path(str(target)) as tmp:
            if leave == "deleted":
                os.remove(tmp)
    assert target.read_bytes() == b"old"
    assert listing(tmp_path) == ["model.glb"]


def test_atomic_path_checks_the_folder_before_yielding(tmp_path):
    with pytest.raises(ImageToPrintError, match="does not exist"):
        with atomic_path(str(tmp_path / "nope" / "a.stl")):
            pytest.fail("body must not run")


# --- write_json ---------------------------------------------------------------------------------

def test_write_json_round_trips(tmp_path):
    data = {"name": "bild-ü-画像", "triangles": 66, "bbox_mm": [4.0, 3.0, 3.5], "checks": {"inside_out": False},
            "warnings": [], "volume": 1.25, "none": None}
    path = write_json(str(tmp_path / "report.json"), data)
    assert path == str(tmp_path / "report.json")
    with open(path, encoding="utf-8") as fh:
        assert json.load(fh) == data
    text = (tmp_path / "report.json").read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert list(json.loads(text)) == list(data)  # key order kept
    assert listing(tmp_path) == ["report.json"]


def test_write_json_failure_leaves_the_old_report(tmp_path):
    path = tmp_path / "report.json"
    path.write_text('{"old": true}\n')
    with pytest.raises(TypeError):
        write_json(str(path), {"bad": object()})
    assert json.loads(path.read_text()) == {"old": True}
    assert listing(tmp_path) == ["report.json"]


def test_write_json_returns_an_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert write_json("r.json", {"a": 1}) == str(tmp_path / "r.json")


def test_atomic_output_gets_the_usual_file_mode_not_mkstemps_0600(tmp_path):
    import os
    import stat

    from core.report import write_json

    target = tmp_path / "mode.json"
    write_json(str(target), {"a": 1})
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


# --- Outputs.split: one output becomes several files (a multi-colour STL, one per colour) ----------

def _json_into(out, path, value):
    with open(out.temp(path), "w", encoding="utf-8") as fh:
        json.dump(value, fh)


def test_split_outputs_are_committed_together_and_the_original_path_is_never_written(tmp_path):
    from core.outputs import Outputs

    whole, other = tmp_path / "c.json", tmp_path / "report.json"
    with Outputs([whole, other]) as out:
        parts = out.split(str(whole), [tmp_path / "c-base.json", tmp_path / "c-colour-1.json"])
        assert [os.path.basename(p) for p in parts] == ["c-base.json", "c-colour-1.json"]
        assert len([n for n in listing(tmp_path) if n.endswith(".part.json")]) == 3  # c.json's temp is gone
        for i, path in enumerate(parts + [str(other)]):
            _json_into(out, path, {"part": i})
        assert out.commit() == [str(other)] + parts
    assert listing(tmp_path) == ["c-base.json", "c-colour-1.json", "report.json"]
    assert json.loads((tmp_path / "c-colour-1.json").read_text()) == {"part": 1}


@pytest.mark.parametrize("target, words", [("input.png", "is the input file"),
                                           ("report.json", "is also another output"),
                                           ("c-base.json", "is also another output")])
def test_split_refuses_a_file_that_is_the_input_or_another_output_and_leaves_nothing(tmp_path, target, words):
    from core.outputs import Outputs

    (tmp_path / "input.png").write_bytes(b"photo")
    with pytest.raises(ImageToPrintError, match=words):
        with Outputs([tmp_path / "c.json", tmp_path / "report.json"], [str(tmp_path / "input.png")]) as out:
            out.split(str(tmp_path / "c.json"), [tmp_path / "c-base.json", tmp_path / target])
    assert listing(tmp_path) == ["input.png"]
    assert (tmp_path / "input.png").read_bytes() == b"photo"
