#!/usr/bin/env bash
# Runs the whole test suite: lint, then pytest on SQLite and PostgreSQL, the fault matrix and the browser walks
# (including production mode: PostgreSQL + Redis + several backend workers).
# PostgreSQL and Redis (Debian's packages) are started here and stopped at the end if we started them.
set -euo pipefail
cd "$(dirname "$0")/.."
export REFLEX_BUN_PATH="${REFLEX_BUN_PATH:-$PWD/.tools/node_modules/.bin/bun}"
mkdir -p artifacts

started_servers=false
aside=""
clean_up() {  # on any exit, Ctrl-C included: the second pytest, then the servers this run started
  [ -z "$aside" ] || kill "$aside" 2>/dev/null || true
  if $started_servers; then
    bash scripts/postgres.sh stop
    bash scripts/redis.sh stop
  fi
}
trap clean_up EXIT
trap 'exit 130' INT TERM  # the second pytest ignores Ctrl-C (it runs in the background): end here
if [ -z "${ASSAY_TEST_POSTGRES_URL:-}" ]; then
  started_servers=true
  bash scripts/postgres.sh start
  export ASSAY_TEST_POSTGRES_URL="postgresql+psycopg://postgres:assay@127.0.0.1:5432/postgres"
fi
if [ -z "${ASSAY_TEST_REDIS_URL:-}" ]; then
  started_servers=true
  bash scripts/redis.sh start
  export ASSAY_TEST_REDIS_URL="redis://127.0.0.1:${ASSAY_TEST_REDIS_PORT:-6379}"
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet .
if [ $# -gt 0 ]; then  # a part of the suite, as asked
  .venv/bin/python -m pytest --durations=15 "$@"
  exit
fi

# Two pytest processes side by side, since the suite mostly waits (on apps, browsers, the
# sandbox's pacing): the fault matrix and the browser walks in one, on a PostgreSQL database
# of their own, the rest in the other. The second's report follows the first's.
aside_db="$(.venv/bin/python scripts/fresh_database.py "$ASSAY_TEST_POSTGRES_URL" assay_aside)"
ASSAY_TEST_POSTGRES_URL="$aside_db" .venv/bin/python -m pytest --durations=10 tests/faults tests/browser \
  >artifacts/aside-tests.log 2>&1 &
aside=$!
status=0
.venv/bin/python -m pytest --durations=15 --ignore=tests/faults --ignore=tests/browser || status=$?
aside_status=0
wait "$aside" || aside_status=$?
echo "=== the fault matrix and the browser walks (artifacts/aside-tests.log) ==="
cat artifacts/aside-tests.log
[ "$status" -eq 0 ] && [ "$aside_status" -eq 0 ]
