"""scripts/test_durations.py: the times make test deals its four shares by."""

from scripts.test_durations import lowest


def test_each_file_keeps_its_lower_time_and_a_new_file_its_measured_one():
    """A share's setup lands in whichever file needs it first, a different one each run (CI175
    gave test_make_run.py 99 s, CI182 26 s): the lower of two runs is mostly the file's own. A
    file this run's reports leave out keeps its time while it exists (helper-109: it was dropped,
    then dealt by its size)."""
    kept = {
        "tests/browser/test_make_run.py": 98.7,
        "tests/services/test_review.py": 46.0,
        "tests/services/test_views.py": 34.2,  # left out of this run's reports (a share's report lost)
        "tests/gone.py": 5.0,  # deleted since
    }
    measured = {
        "tests/browser/test_make_run.py": 25.5,
        "tests/services/test_review.py": 152.8,
        "tests/new.py": 3.2,
    }

    assert lowest(measured, kept) == {
        "tests/browser/test_make_run.py": 25.5,
        "tests/new.py": 3.2,
        "tests/services/test_review.py": 46.0,
        "tests/services/test_views.py": 34.2,
    }
