"""Write tests/durations.json, each test file's running time, from the junit reports of a whole run.

``scripts/test.sh`` deals every test into four shares for four pytest
processes by these times (``tests/conftest.py``, ``_shard``); run this after a ``make test`` whose files changed much,
and commit the file. A file it does not list is dealt by its size.

Usage: ``python scripts/test_durations.py [report.xml ...]`` (by default the last run's,
``artifacts/*-junit.xml``)
"""

import collections
import glob
import json
import pathlib
import sys
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parent.parent


def file_seconds(reports: list[str]) -> dict[str, float]:
    """Seconds per test file (setup, call and teardown of its tests), summed over ``reports``."""
    seconds: collections.Counter[str] = collections.Counter()
    for report in reports:
        for case in ET.parse(report).iter("testcase"):
            path = case.get("classname", "").split("[")[0]
            # "tests.services.test_accounts" or, for tests in a class, "...test_accounts.TestX".
            parts = path.split(".")
            while parts and not (ROOT / pathlib.Path(*parts)).with_suffix(".py").is_file():
                parts.pop()
            if parts:
                seconds[str(pathlib.Path(*parts).with_suffix(".py"))] += float(case.get("time", 0))
    return {path: round(total, 1) for path, total in sorted(seconds.items())}


if __name__ == "__main__":
    reports = sys.argv[1:] or sorted(glob.glob(str(ROOT / "artifacts" / "*-junit.xml")))
    if not reports:
        sys.exit("no junit reports: run make test first")
    times = file_seconds(reports)
    (ROOT / "tests" / "durations.json").write_text(json.dumps(times, indent=1) + "\n")
    print(f"files={len(times)} seconds={sum(times.values()):.0f}")
