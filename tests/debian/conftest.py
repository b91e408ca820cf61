# SPDX-License-Identifier: GPL-3.0-or-later
"""Debian's blender tier: its temporary files in a folder of its own (tests/helpers/tmpguard)."""

import glob
import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "helpers"))

import tmpguard

tmpguard.install("debian-blender")


def pytest_sessionfinish(session, exitstatus):
    tmpguard.finish(session)


@pytest.fixture(autouse=True)
def _no_temporary_files_left():
    yield from tmpguard.guard()


@pytest.fixture(scope="session")
def installed():
    """The zip every suite installs, installed in Debian's Blender with its own command line, once."""
    from debian_run import ROOT, WORK, blender, debian_root

    root = debian_root()
    assert os.path.exists(os.path.join(root, ".image-to-print-ready")), \
        "no Debian root: run `bash scripts/debian-blender.sh setup` (make test does)"
    zips = sorted(glob.glob(os.path.join(ROOT, "build", "dist", "image_to_print-*-linux_x64.zip")))
    assert zips, "no extension zip: run `make zip` (make test does)"
    work = root + WORK
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    shutil.copy(zips[-1], os.path.join(work, "image_to_print.zip"))
    shutil.copy(os.path.join(ROOT, "samples", "sunflower.png"), os.path.join(work, "sunflower.png"))
    rc, out, err = blender("-b", "--command", "extension", "install-file", "-r", "user_default", "--enable",
                           f"{WORK}/image_to_print.zip")
    assert rc == 0, out + err
    yield work
    shutil.rmtree(work, ignore_errors=True)
