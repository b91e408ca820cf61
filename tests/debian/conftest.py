# SPDX-License-Identifier: GPL-3.0-or-later
"""Debian's blender tier: its temporary files in a folder of its own (tests/helpers/tmpguard), and the zip
installed in Debian's Blender once (tests/helpers/debian_run.py)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "helpers"))

from debian_run import conftest
from debian_tier import TIER

conftest(globals(), "debian-blender", TIER)
