"""Write tests/durations.json, each test file's running time, from the junit reports of a whole run.

``scripts/test.sh`` deals every test into four shares for four pytest
processes by these times (``tests/conftest.py``, ``_shard``); run this after a ``make test`` whose files changed much,
and commit the file. A file it does not list is dealt by its size. Each file keeps the lower of
its time in this run and the one the file held (``lowest``).

Usage: ``python scripts/test_durations.py [--afresh] [report.xml ...]`` (by default the last
run's, ``artifacts/*-junit.xml``)
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


def lowest(measured: dict[str, float], kept: dict[str, float]) -> dict[str, float]:
    """Each file's lower time of this run and the one kept (a file new since counts as measured;
    one this run's reports leave out keeps its time while it exists).

    A share's setup (its sandbox, the migrated database it copies, its app's build and start)
    is counted in whichever file comes first to need it, a different one each run: CI175's times
    gave test_make_run.py 99 s and test_board_moved_meanwhile.py 83 s, CI182's 26 s and 11 s,
    and shares dealt by the one run's times ended 8 minutes apart. The lower of two runs is
    mostly the file's own. A file that really grows (tests added) keeps its lower time, though:
    ``--afresh`` writes this run's times alone.
    """
    left_out = {
        path: seconds for path, seconds in kept.items() if path not in measured and (ROOT / path).is_file()
    }
    both = {path: min(seconds, kept.get(path, seconds)) for path, seconds in measured.items()}
    return dict(sorted({**left_out, **both}.items()))


if __name__ == "__main__":
    afresh = "--afresh" in sys.argv[1:]
    reports = [a for a in sys.argv[1:] if a != "--afresh"] or sorted(
        glob.glob(str(ROOT / "artifacts" / "*-junit.xml"))
    )
    if not reports:
        sys.exit("no junit reports: run make test first")
    durations = ROOT / "tests" / "durations.json"
    kept = json.loads(durations.read_text()) if durations.exists() and not afresh else {}
    times = lowest(file_seconds(reports), kept)
    durations.write_text(json.dumps(times, indent=1) + "\n")
    print(f"files={len(times)} seconds={sum(times.values()):.0f}")
