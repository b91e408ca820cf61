# SPDX-License-Identifier: GPL-3.0-or-later
"""The UI tier (a real window): its temporary files in a folder of its own (tests/helpers/tmpguard)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "helpers"))

import tmpguard

tmpguard.install("ui")


def pytest_sessionfinish(session, exitstatus):
    tmpguard.finish(session)


@pytest.fixture(autouse=True)
def _no_temporary_files_left():
    yield from tmpguard.guard()


from ui_tier import TIER

installed = TIER.installed_fixture()
