"""How the browser walks and benchmarks launch Debian's Chromium (Playwright cannot download its own here).

Debian's ``chromium-headless-shell``, the old headless build Playwright itself runs for headless
tests: no browser window behind each page (full Chromium in headless mode loaded its omnibox
popup as a web page of its own for every context, 0.7 s of CPU each). Four walk files measured
in one run each, one after the other (CPU read from /proc by process kind): Chromium's
CPU 58.2 s with full Chromium, 39.6 s with the shell; the walks' wall time 111.7 s against 94.5 s.
"""

EXECUTABLE = "/usr/lib/chromium/chromium-headless-shell"

LAUNCH_ARGS = [
    # This closed network and a root container: no sandbox, no GPU, nothing fetched from Google.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
