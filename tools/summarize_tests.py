#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Add up the JUnit XML files of every test run and print one closing line."""

import os
import sys
import xml.etree.ElementTree as ET


def main(folder: str, expected: list[str]) -> int:
    """Sum every suite's results; a suite in ``expected`` without a results file is a failure."""
    total = failed = skipped = 0
    missing = [name for name in expected if not os.path.exists(os.path.join(folder, f"{name}.xml"))]
    for name in missing:
        print(f"summarize_tests: the {name} suite left no results", file=sys.stderr)
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".xml"):
            continue
        root = ET.parse(os.path.join(folder, name)).getroot()
        s_total = s_failed = s_skipped = 0
        seconds = 0.0
        for suite in root.iter("testsuite"):
            s_total += int(suite.get("tests", 0))
            s_failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            s_skipped += int(suite.get("skipped", 0))
            seconds += float(suite.get("time", 0.0))
        print(f"  {name[:-4]:<16} {s_total - s_failed - s_skipped:4d} passed, {s_failed} failed, "
              f"{s_skipped} skipped ({seconds:.0f} s)")
        total, failed, skipped = total + s_total, failed + s_failed, skipped + s_skipped
    passed = total - failed - skipped
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or missing or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/test-results", sys.argv[2:]))
