"""Write tests/durations.json, each test file's running time, from the junit reports of a whole run.

``scripts/test.sh`` deals every test into four shares for four pytest
processes by these times (``tests/conftest.py``, ``_shard``); run this after a ``make test`` whose files changed much,
and commit the file. A file it does not list is dealt by its size. Each file's time is the mean
of this run's and the one it held (``blended``).

Usage: ``python scripts/test_durations.py [--replace] [report.xml ...]`` (by default the last run's,
``artifacts/*-junit.xml``). ``--replace`` takes this run's times as they are, not blended: after a
change that moved many files' times at once (the suite's passwords hashed at argon2's lowest cost
took test_accounts.py from 254 s to 20), a blend would deal by times half of which no longer hold.
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


def blended(measured: dict[str, float], kept: dict[str, float]) -> dict[str, float]:
    """Each file's time the mean of this run's and the one kept (a file new since counts as
    measured; one this run's reports leave out keeps its time while it exists, helper-109).

    A file's time moves from run to run with what runs beside it: test_webhook_inbox.py took 253 s
    in CI187 and 126 s in CI188, test_seed_demo.py 130 s and 46 s. Dealt by one run's times, the
    shares would have ended 3 to 6 minutes apart in the other run; by the mean of the two, at most
    1 minute apart in either. Not each file's lowest, as before: the files that are not browser
    walks took 1.7 times their lowest in a whole run (CI187), the walks 1.1 times, and the shares
    dealt by the lowest ended 5 minutes apart.
    """
    left_out = {
        path: seconds for path, seconds in kept.items() if path not in measured and (ROOT / path).is_file()
    }
    mean = {path: round((seconds + kept.get(path, seconds)) / 2, 1) for path, seconds in measured.items()}
    return dict(sorted({**left_out, **mean}.items()))


if __name__ == "__main__":
    replace = "--replace" in sys.argv[1:]
    reports = [a for a in sys.argv[1:] if a != "--replace"] or sorted(
        glob.glob(str(ROOT / "artifacts" / "*-junit.xml"))
    )
    if not reports:
        sys.exit("no junit reports: run make test first")
    durations = ROOT / "tests" / "durations.json"
    kept = json.loads(durations.read_text()) if durations.exists() else {}
    measured = file_seconds(reports)
    # Replaced: each file this run measured at this run's time; the others keep theirs (a share's
    # report missing must not leave its files to be dealt by size).
    still_there = {path: seconds for path, seconds in kept.items() if (ROOT / path).is_file()}
    times = dict(sorted({**still_there, **measured}.items())) if replace else blended(measured, kept)
    durations.write_text(json.dumps(times, indent=1) + "\n")
    print(f"files={len(times)} seconds={sum(times.values()):.0f}")
