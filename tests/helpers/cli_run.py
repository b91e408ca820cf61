# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line, run in the test's own Blender process, as its tests see it."""


def run(ext, capfd, *argv):
    """``image_to_print ARGV...`` through the installed extension: (exit code, stdout, stderr)."""
    code = ext.cli.main([str(a) for a in argv])
    out, err = capfd.readouterr()
    return code, out, err
