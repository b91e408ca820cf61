# SPDX-License-Identifier: GPL-3.0-or-later
"""scripts/find-python.sh: a Python X.Y that really runs, or one line saying what to install."""

import os
import subprocess
import sys

from conftest import REPO_ROOT

SCRIPT = os.path.join(REPO_ROOT, "scripts", "find-python.sh")
WANT = f"{sys.version_info[0]}.{sys.version_info[1]}"


def find(want, path, pyenv_root):
    env = {"PATH": path, "PYENV_ROOT": pyenv_root, "HOME": pyenv_root}
    return subprocess.run(["bash", SCRIPT, want], capture_output=True, text=True, env=env)


def test_a_failing_shim_is_skipped_for_an_installed_version(tmp_path):
    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / f"python{WANT}"
    shim.write_text(f"#!/bin/sh\necho 'pyenv: python{WANT}: command not found' >&2\nexit 127\n")
    shim.chmod(0o755)
    version = tmp_path / "pyenv" / "versions" / f"{WANT}.9" / "bin"
    version.mkdir(parents=True)
    os.symlink(sys.executable, version / f"python{WANT}")
    proc = find(WANT, f"{shims}:/usr/bin:/bin", str(tmp_path / "pyenv"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(version / f"python{WANT}")


def test_no_such_python_is_one_line_and_exit_1(tmp_path):
    proc = find("3.99", "/usr/bin:/bin", str(tmp_path))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "find-python: no working Python 3.99 (with venv) found: install it, e.g. 'pyenv install 3.99' or "
        "'apt-get install python3.99 python3.99-venv'"]
