# SPDX-License-Identifier: GPL-3.0-or-later
"""Debian's Blender in its debootstrap root (scripts/debian-blender.sh), for the tiers that run it
(tests/debian: the binary and its command line; tests/ui: a real window under Xvfb).

Each tier works in a folder of its own inside the root (``Tier(work)``), so the two can run at once;
each run mounts /proc, /dev and /sys in a mount namespace of its own, so one run's end cannot unmount
them under another."""

import glob
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "debian-blender.sh")


def debian_root() -> str:
    return subprocess.run(["bash", SCRIPT, "root"], capture_output=True, text=True, check=True).stdout.strip()


class Tier:
    """One tier's folder inside the root (``work``, with its isolated Blender user folder)."""

    def __init__(self, work: str):
        self.work = work
        self.user = f"{work}/user"

    def blender(self, *args, timeout=300):
        """Run Debian's blender in the root with the tier's user folder; (returncode, stdout, stderr)."""
        proc = subprocess.run(["bash", SCRIPT, "run", f"BLENDER_USER_RESOURCES={self.user}", "blender",
                               *map(str, args)], capture_output=True, text=True, timeout=timeout)
        return proc.returncode, proc.stdout, proc.stderr

    def in_root(self, script: str, timeout=300):
        """Run a bash ``script`` in the root (as root, with the tier's user folder); (returncode, output)."""
        proc = subprocess.run(["bash", SCRIPT, "run", "env", f"BLENDER_USER_RESOURCES={self.user}", "bash", "-c",
                               script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=timeout)
        return proc.returncode, proc.stdout

    def install(self) -> str:
        """The zip every suite installs, installed in Debian's Blender with its own command line, in a
        fresh work folder; returns that folder's path on this machine."""
        root = debian_root()
        assert os.path.exists(os.path.join(root, ".image-to-print-ready")), \
            "no Debian root: run `bash scripts/debian-blender.sh setup` (make test does)"
        zips = sorted(glob.glob(os.path.join(ROOT, "build", "dist", "image_to_print-*-linux_x64.zip")))
        assert zips, "no extension zip: run `make zip` (make test does)"
        work = root + self.work
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        shutil.copy(zips[-1], os.path.join(work, "image_to_print.zip"))
        shutil.copy(os.path.join(ROOT, "samples", "sunflower.png"), os.path.join(work, "sunflower.png"))
        rc, out, err = self.blender("-b", "--command", "extension", "install-file", "-r", "user_default",
                                    "--enable", f"{self.work}/image_to_print.zip")
        assert rc == 0, out + err
        return work

    def installed_fixture(self):
        """A session fixture: :meth:`install` once; the folder is removed at the end."""

        @pytest.fixture(scope="session")
        def installed():
            work = self.install()
            yield work
            shutil.rmtree(work, ignore_errors=True)

        return installed

    def window(self, blend: str, script: str, *args, timeout=300, size=(1280, 800)):
        """Debian's Blender in a real window on its own Xvfb display, ``blend`` open, driven by the
        Python ``script`` (paths inside the root) with ``args`` after ``--``; (returncode, output)."""
        display = f":{90 + os.getpid() % 100}"
        w, h = size
        return self.in_root(
            f"Xvfb {display} -screen 0 {w}x{h}x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!; sleep 1; "
            f"DISPLAY={display} timeout {timeout} blender {blend} --enable-event-simulate "
            f"--python {script} -- {' '.join(map(str, args))}; rc=$?; kill $xvfb; exit $rc", timeout=timeout + 60)


def conftest(namespace: dict, suite: str, tier: Tier) -> None:
    """What a Debian tier's conftest.py holds, put into its ``namespace``: the suite's temporary files
    in a folder of its own (tmpguard), failing on any left behind, and the ``installed`` fixture."""
    import tmpguard

    tmpguard.install(suite)

    def pytest_sessionfinish(session, exitstatus):
        tmpguard.finish(session)

    @pytest.fixture(autouse=True)
    def _no_temporary_files_left():
        yield from tmpguard.guard()

    namespace.update(pytest_sessionfinish=pytest_sessionfinish, _no_temporary_files_left=_no_temporary_files_left,
                     installed=tier.installed_fixture())
