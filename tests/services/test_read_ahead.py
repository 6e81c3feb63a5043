"""Reading a listing ahead of its reader changes neither what is read nor how far."""

import threading

import pytest

from dashboard.services.read_ahead import read_ahead


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
