#!/usr/bin/env bash
# Runs Assay on its embedded default: SQLite, the vendor sandbox, demo data.
# Ctrl-C stops the app and the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
export REFLEX_BUN_PATH="${REFLEX_BUN_PATH:-$PWD/.tools/node_modules/.bin/bun}"
export ASSAY_SANDBOX_URL="${ASSAY_SANDBOX_URL:-http://127.0.0.1:8700}"
export ASSAY_PUBLIC_URL="${ASSAY_PUBLIC_URL:-http://localhost:3000}"
mkdir -p .assay

.venv/bin/python -m providers.sandbox --host 127.0.0.1 --port 8700 \
  --state-file .assay/sandbox.json --public-url http://localhost:8700 > .assay/sandbox.log 2>&1 &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT INT TERM

.venv/bin/python scripts/wait_for.py "$ASSAY_SANDBOX_URL/_sandbox/stats" 20
.venv/bin/python scripts/seed_demo.py

echo
echo "Assay is starting on http://localhost:3000 (the first start also builds the frontend)."
echo "The vendor sandbox (candidate test pages) is on http://localhost:8700."
echo
.venv/bin/reflex run --env prod --frontend-port 3000 --backend-port 3000 --loglevel warning
