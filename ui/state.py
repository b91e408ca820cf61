# SPDX-License-Identifier: GPL-3.0-or-later
"""Check results per object, kept out of the .blend (as the 3D-Print Toolbox does): the checks
and the routes write them, the Print Checks panel shows them."""

RESULTS: dict[str, dict] = {}  # object name -> its last check report
ELEMENTS: dict[str, dict] = {}  # object name -> check name -> (domain, indices) for the select buttons
