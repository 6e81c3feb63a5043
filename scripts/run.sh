#!/usr/bin/env bash
# Runs Assay on its embedded default: SQLite, the vendor sandbox, demo data.
# Ctrl-C stops the app and the sandbox.
# ASSAY_PORT (3000) and ASSAY_SANDBOX_PORT (8700) move it off ports another program holds;
# ASSAY_DATA_DIR (.assay) is where the demo database, the sandbox's state and its log are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${ASSAY_PORT:-3000}"
sandbox_port="${ASSAY_SANDBOX_PORT:-8700}"
export ASSAY_DATA_DIR="${ASSAY_DATA_DIR:-$PWD/.assay}"
mkdir -p "$ASSAY_DATA_DIR"
ASSAY_DATA_DIR="$(cd "$ASSAY_DATA_DIR" && pwd)"
export REFLEX_BUN_PATH="${REFLEX_BUN_PATH:-$PWD/.tools/node_modules/.bin/bun}"
export REFLEX_DB_URL="${REFLEX_DB_URL:-sqlite:///$ASSAY_DATA_DIR/assay.db}"
export ASSAY_SANDBOX_URL="${ASSAY_SANDBOX_URL:-http://127.0.0.1:$sandbox_port}"
export ASSAY_PUBLIC_URL="${ASSAY_PUBLIC_URL:-http://localhost:$port}"

.venv/bin/python -m providers.sandbox --host 127.0.0.1 --port "$sandbox_port" \
  --state-file "$ASSAY_DATA_DIR/sandbox.json" --public-url "http://localhost:$sandbox_port" \
  > "$ASSAY_DATA_DIR/sandbox.log" 2>&1 &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT INT TERM

.venv/bin/python scripts/wait_for.py "$ASSAY_SANDBOX_URL/_sandbox/stats" 20
.venv/bin/python scripts/seed_demo.py

echo
echo "Assay is starting on http://localhost:$port (the first start also builds the frontend)."
echo "The vendor sandbox (candidate test pages) is on http://localhost:$sandbox_port."
echo
.venv/bin/reflex run --env prod --frontend-port "$port" --backend-port "$port" --loglevel warning
