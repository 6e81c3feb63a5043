"""How the browser walks and benchmarks launch Debian's Chromium (Playwright cannot download its own here)."""

EXECUTABLE = "/usr/bin/chromium"

LAUNCH_ARGS = [
    # This closed network and a root container: no sandbox, no GPU, nothing fetched from Google.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Every new window (each test's browser context is one) loads the omnibox's popup as a web page
    # of its own (chrome://omnibox-popup.top-chrome/) that a headless walk never shows: 0.7 s of CPU
    # a window, two fifths of what opening Assay's sign-in page cost in all.
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup",
]
