# SPDX-License-Identifier: GPL-3.0-or-later
"""What panels and operators share without importing each other: UI state kept out of the
.blend (check results, the trace preview) and the settings layouts both the sidebar and the
operators' Redo panels draw."""
