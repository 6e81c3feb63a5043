"""Wait until a URL answers: ``python scripts/wait_for.py URL [SECONDS]``."""

import sys
import time

import httpx

url = sys.argv[1]
deadline = time.monotonic() + float(sys.argv[2] if len(sys.argv) > 2 else 30)
while True:
    try:
        httpx.get(url, timeout=2).raise_for_status()
        break
    except httpx.HTTPError:
        if time.monotonic() > deadline:
            sys.exit(f"{url} did not answer in time")
        time.sleep(0.2)
