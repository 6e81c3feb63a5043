"""How the browser walks and benchmarks launch Debian's Chromium (Playwright cannot download its own here)."""

EXECUTABLE = "/usr/bin/chromium"

# Chromium heeds only the last --disable-features it is given, and Playwright gives its own list
# first: a list of ours must carry Playwright's too, or those features come back on (helper-151).
# Playwright 1.65.2's, as its launch passes them (tests/browser/test_chromium_flags.py checks it).
PLAYWRIGHTS_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,HttpsUpgrades,"
    "HttpsFirstBalancedModeAutoEnable,LensOverlay,MediaRouter,PaintHolding,ThirdPartyStoragePartitioning,"
    "AvoidCorsURLLoaderRestartOnRedirect,TcpPortRandomizationWin,OptimizationHints,NetworkTimeServiceQuerying,"
    "AimEnabled,PreconnectToSearch,msForceBrowserSignIn,msEdgeUpdateLaunchServicesPreferredVersion"
)
# Every new window (each test's browser context is one) loads the omnibox's popup as a web page of
# its own (chrome://omnibox-popup.top-chrome/) that a headless walk never shows: 0.7 s of CPU a
# window, two fifths of what opening Assay's sign-in page cost in all.
OUR_DISABLED_FEATURES = "WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup"

LAUNCH_ARGS = [
    # This closed network and a root container: no sandbox, no GPU, nothing fetched from Google.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    f"--disable-features={PLAYWRIGHTS_DISABLED_FEATURES},{OUR_DISABLED_FEATURES}",
]
