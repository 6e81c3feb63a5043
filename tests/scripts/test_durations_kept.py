"""scripts/test_durations.py: the times make test deals its four shares by."""

from scripts.test_durations import blended


def test_each_file_takes_the_mean_of_this_run_s_time_and_its_own_and_one_left_out_keeps_its_own():
    """A file's time moves with what runs beside it (253 s in one run, 126 s in the next): the
    mean of the two deals the shares evenest. A file this run's reports leave out keeps its time
    while it exists (helper-109: it was dropped, then dealt by its size); one deleted since is dropped."""
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

    assert blended(measured, kept) == {
        "tests/browser/test_make_run.py": 62.1,
        "tests/new.py": 3.2,
        "tests/services/test_review.py": 99.4,
        "tests/services/test_views.py": 34.2,
    }
