# SPDX-License-Identifier: GPL-3.0-or-later
"""The installed extension's 3MF reader (lib3mf, strict mode), for reading exported files back."""

import importlib

from conftest import MODULE


def read_package(path):
    """Everything lib3mf reads from the package; it read it without a warning, in millimetres."""
    package = importlib.import_module(f"{MODULE}.core.threemf").read_3mf(str(path))
    assert package["warnings"] == [] and package["unit"] == "millimeter", package["warnings"]
    return package


def read_3mf(path):
    return read_package(path)["objects"]
