# SPDX-License-Identifier: GPL-3.0-or-later
"""This tier's folder in the Debian root, and its runners (tests/helpers/debian_run.py)."""

from debian_run import ROOT, Tier, debian_root

TIER = Tier("/tmp/image-to-print-test")
WORK, USER = TIER.work, TIER.user
blender, in_root = TIER.blender, TIER.in_root

__all__ = ["ROOT", "TIER", "WORK", "USER", "blender", "in_root", "debian_root"]
