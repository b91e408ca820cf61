# SPDX-License-Identifier: GPL-3.0-or-later
"""Debian's blender tier: its temporary files in a folder of its own (tests/helpers/tmpguard)."""

import os
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


from debian_tier import TIER

installed = TIER.installed_fixture()
