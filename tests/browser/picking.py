"""Pick a vendor connection and one of its tests in the test picker, as a recruiter does."""

import re

from playwright.sync_api import Page, expect


def pick_test(page: Page, connection: str, index: int = 0) -> str:
    """Choose the connection whose name contains ``connection``, then its ``index``-th test; its name.

    The tests are fetched from the vendor after the connection changes; the test list
    stays disabled until they arrive, so opening it earlier would open the old, empty one.
    """
    page.get_by_label("Vendor connection").click()
    page.get_by_role("option", name=re.compile(re.escape(connection))).click()
    expect(page.get_by_label("Vendor connection")).to_contain_text(connection)
    tests = page.get_by_label("Test", exact=True)
    expect(tests).to_be_enabled()
    tests.click()
    option = page.get_by_role("option").nth(index)
    name = option.inner_text()
    option.click()
    expect(tests).to_contain_text(name)
    return name
