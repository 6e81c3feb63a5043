"""Reading a listing ahead of its reader changes neither what is read nor how far."""

import itertools
import threading
import time

import pytest

from dashboard.services.read_ahead import read_ahead
from providers.base import AttemptStatus, Progress, until_all_seen


def test_items_come_in_order_and_the_source_is_read_on_another_thread():
    readers = set()

    def source():
        for n in range(2500):  # more than the queue holds: the thread waits for its reader
            readers.add(threading.get_ident())
            yield n

    assert list(read_ahead(source(), depth=100)) == list(range(2500))
    assert readers and threading.get_ident() not in readers


def test_an_error_in_the_source_reaches_the_reader_after_the_items_before_it():
    def source():
        yield 1
        yield 2
        raise ValueError("page 3 unreadable")

    got = []
    with pytest.raises(ValueError, match="page 3 unreadable"):
        for item in read_ahead(source()):
            got.append(item)
    assert got == [1, 2]


def test_a_reader_that_stops_early_stops_and_closes_the_source():
    closed = threading.Event()

    def endless():
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    items = read_ahead(endless(), depth=10)
    assert [next(items), next(items)] == [0, 1]
    items.close()
    assert closed.wait(5), "the source was still being read after its reader stopped"


def test_it_holds_no_more_than_depth_items_its_reader_has_not_taken():
    produced = []

    def source():
        for n in range(10_000):
            produced.append(n)
            yield n

    items = read_ahead(source(), depth=10)
    assert next(items) == 0
    time.sleep(0.3)  # time enough to read all 10,000 were the queue unbounded
    assert len(produced) <= 12  # the one taken, ten waiting, one in hand
    items.close()


def test_a_filtered_listing_stops_paging_once_its_reader_has_gone():
    """The reader fails after the first status; the listing holds nothing else it wants."""
    pages_read = []
    closed = threading.Event()

    def listing():
        try:
            yield AttemptStatus("wanted-1", Progress.STARTED, "started")
            for page in itertools.count(1):
                pages_read.append(page)
                yield AttemptStatus(f"other-{page}", Progress.SENT, "sent")
        finally:
            closed.set()

    stop = threading.Event()
    statuses = read_ahead(until_all_seen(listing(), {"wanted-1", "wanted-2"}, stop=stop), stop=stop)
    assert next(statuses).vendor_attempt_id == "wanted-1"
    statuses.close()  # the reader fails (a database error, say) and goes

    assert closed.wait(5), f"still paging after its reader went: {len(pages_read)} pages"
