# SPDX-License-Identifier: GPL-3.0-or-later
"""Debian's Blender in its debootstrap root (scripts/debian-blender.sh): the paths and the runner every
test of this tier uses."""

import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "debian-blender.sh")
WORK = "/tmp/image-to-print-test"  # inside the Debian root
USER = f"{WORK}/user"


def debian_root():
    return subprocess.run(["bash", SCRIPT, "root"], capture_output=True, text=True, check=True).stdout.strip()


def blender(*args, timeout=300):
    """Run Debian's blender in the root with an isolated user folder; (returncode, stdout, stderr)."""
    proc = subprocess.run(["bash", SCRIPT, "run", f"BLENDER_USER_RESOURCES={USER}", "blender", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def in_root(script: str, timeout=300):
    """Run a bash ``script`` in the root (as root, with the isolated user folder); (returncode, output)."""
    proc = subprocess.run(["bash", SCRIPT, "run", "env", f"BLENDER_USER_RESOURCES={USER}", "bash", "-c", script],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    return proc.returncode, proc.stdout
