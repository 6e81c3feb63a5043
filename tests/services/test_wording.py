"""Counts in messages read as sentences: the noun agrees with the number."""

from dashboard.services.wording import counted, is_are


def test_one_takes_the_singular_and_every_other_count_the_plural():
    assert [counted(n, "assessment") for n in (0, 1, 2)] == ["0 assessments", "1 assessment", "2 assessments"]
    assert counted(1, "delivery", "deliveries") == "1 delivery"
    assert counted(3, "delivery", "deliveries") == "3 deliveries"
    assert (is_are(1), is_are(2)) == ("is", "are")
