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
clean_up() {  # on any exit, Ctrl-C included: the pytests aside, then the servers this run started
  [ -z "$aside" ] || kill $aside 2>/dev/null || true
  if $started_servers; then
    bash scripts/postgres.sh stop
    bash scripts/redis.sh stop
  fi
}
trap clean_up EXIT
trap 'exit 130' INT TERM  # the pytests aside ignore Ctrl-C (they run in the background): end here
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

# Five pytest processes side by side: the suite is bound by the 2 cores, and one process (or
# two) left one idle half the time, in waits on apps, browsers and the sandbox's pacing. The tests
# other than the browser walks are dealt into three shares (tests/conftest.py, ``_shard``), the
# browser walks into two (each with its own demo app and frontend build). Each but the first has a
# PostgreSQL database of its own; their reports follow the first's.
aside() {  # aside NAME DATABASE [ENV=VALUE...] -- PYTEST ARGS: one more pytest in the background
  local name="$1" db; db="$(.venv/bin/python scripts/fresh_database.py "$ASSAY_TEST_POSTGRES_URL" "$2")"
  shift 2
  local settings=()
  while [ "$1" != "--" ]; do settings+=("$1"); shift; done
  shift
  env ASSAY_TEST_POSTGRES_URL="$db" "${settings[@]}" .venv/bin/python -m pytest --durations=10 "$@" \
    >"artifacts/$name-tests.log" 2>&1 &
  asides+=("$!")
  names+=("$name")
  aside="${asides[*]}"  # killed on any exit from here on, even if starting the next one fails
}
asides=() names=()
aside share-2 assay_share_2 ASSAY_TEST_SHARD=2/3 -- --ignore=tests/browser
aside share-3 assay_share_3 ASSAY_TEST_SHARD=3/3 -- --ignore=tests/browser
aside browser-1 assay_browser_1 ASSAY_TEST_SHARD=1/2 ASSAY_TEST_WEB_DIR=.web-tests -- tests/browser
aside browser-2 assay_browser_2 ASSAY_TEST_SHARD=2/2 ASSAY_TEST_WEB_DIR=.web-tests-2 -- tests/browser
status=0
ASSAY_TEST_SHARD=1/3 .venv/bin/python -m pytest --durations=15 --ignore=tests/browser || status=$?
for i in "${!asides[@]}"; do
  wait "${asides[$i]}" || status=$?
  echo "=== ${names[$i]} (artifacts/${names[$i]}-tests.log) ==="
  cat "artifacts/${names[$i]}-tests.log"
done
exit "$status"
