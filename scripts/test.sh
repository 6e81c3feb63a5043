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

# Four pytest processes side by side, since the suite mostly waits (on apps, browsers, the
# sandbox's pacing) and one process would leave a core idle: every test dealt into four shares by
# measured time (tests/durations.json; tests/conftest.py, _shard), each share with its own demo
# app and frontend build, and each but this one with a PostgreSQL database of its own; their
# reports follow this one's.
rm -f artifacts/*-junit.xml  # scripts/test_durations.py reads this run's only
aside() {  # aside NAME DATABASE [ENV=VALUE...] -- PYTEST ARGS: one more pytest in the background
  local name="$1" db; db="$(.venv/bin/python scripts/fresh_database.py "$ASSAY_TEST_POSTGRES_URL" "$2")"
  shift 2
  local settings=()
  while [ "$1" != "--" ]; do settings+=("$1"); shift; done
  shift
  env ASSAY_TEST_POSTGRES_URL="$db" "${settings[@]}" .venv/bin/python -m pytest --durations=10 \
    --junitxml="artifacts/$name-junit.xml" "$@" >"artifacts/$name-tests.log" 2>&1 &
  asides+=("$!")
  names+=("$name")
  aside="${asides[*]}"  # killed on any exit from here on, even if starting the next one fails
}
asides=() names=()
for k in 1 2 3; do
  aside "share-$k" "assay_share_$k" ASSAY_TEST_SHARD=$k/4 ASSAY_TEST_WEB_DIR=.web-tests-$k --
done
status=0
ASSAY_TEST_SHARD=4/4 ASSAY_TEST_WEB_DIR=.web-tests-4 .venv/bin/python -m pytest --durations=15 \
  --junitxml=artifacts/share-4-junit.xml || status=$?
for i in "${!asides[@]}"; do
  wait "${asides[$i]}" || status=$?
  echo "=== ${names[$i]} (artifacts/${names[$i]}-tests.log) ==="
  cat "artifacts/${names[$i]}-tests.log"
done
exit "$status"
