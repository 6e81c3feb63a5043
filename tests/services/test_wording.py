"""Counts in messages read as sentences: the noun agrees with the number."""

import datetime

from dashboard.services.board_view import ago, ago_words
from dashboard.services.wording import counted, is_are


def test_one_takes_the_singular_and_every_other_count_the_plural():
    assert [counted(n, "assessment") for n in (0, 1, 2)] == ["0 assessments", "1 assessment", "2 assessments"]
    assert counted(1, "delivery", "deliveries") == "1 delivery"
    assert counted(3, "delivery", "deliveries") == "3 deliveries"
    assert (is_are(1), is_are(2)) == ("is", "are")


def test_how_long_ago_reads_less_than_a_minute_not_no_time_at_all():
    """Seen on a phone: the queue said "Waiting 0m" and "Received 0m" of what had just arrived."""
    now = datetime.datetime(2026, 12, 5, 12, 0, tzinfo=datetime.UTC)
    before = [now - datetime.timedelta(seconds=s) for s in (0, 59, 60, 3599, 3600, 86400)]
    assert [ago(m, now) for m in before] == ["<1m", "<1m", "1m", "59m", "1h", "1d"]
    assert [ago_words(m, now) for m in before[:3]] == ["just now", "just now", "1m ago"]
