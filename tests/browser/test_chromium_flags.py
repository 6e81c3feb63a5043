"""The walks' Chromium runs with the features Playwright turns off still off, and ours too.

Chromium heeds only the last ``--disable-features`` switch, and Playwright passes its own list
before ours (tests/chromium.py): a Playwright whose list changed would turn its features back on
without a word, as ours first did.
"""

import os
import pathlib

import pytest

from tests.app_process import process_tree
from tests.chromium import OUR_DISABLED_FEATURES

pytestmark = pytest.mark.browser


def _switches(pid: int) -> list[str]:
    try:
        raw = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return raw.replace(b"\0", b" ").decode(errors="replace").split(" ")  # Chromium rewrites its title


def test_the_last_disable_features_switch_carries_playwrights_list_and_ours(browser):
    launched = [
        switches
        for pid in process_tree(os.getpid())
        if "--remote-debugging-pipe" in (switches := _switches(pid))
        and not any(s.startswith("--type=") for s in switches)
    ]
    assert launched, "the walks' Chromium was not found among this process's children"
    for switches in launched:
        lists = [
            s.removeprefix("--disable-features=").split(",")
            for s in switches
            if s.startswith("--disable-features=")
        ]
        heeded = set(lists[-1])
        for earlier in lists[:-1]:
            assert set(earlier) <= heeded, f"turned back on: {sorted(set(earlier) - heeded)}"
        assert set(OUR_DISABLED_FEATURES.split(",")) <= heeded
