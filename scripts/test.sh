#!/usr/bin/env bash
# Runs the whole test suite: lint, then pytest on SQLite and PostgreSQL, the fault matrix and the browser walks
# (including production mode: PostgreSQL + Redis + several backend workers).
# PostgreSQL and Redis (Debian's packages) are started here and stopped at the end if we started them.
set -euo pipefail
cd "$(dirname "$0")/.."
export REFLEX_BUN_PATH="${REFLEX_BUN_PATH:-$PWD/.tools/node_modules/.bin/bun}"
mkdir -p artifacts

started_servers=false
clean_up() {  # on any exit, Ctrl-C included: the servers this run started
  if $started_servers; then
    bash scripts/postgres.sh stop
    bash scripts/redis.sh stop
  fi
}
trap clean_up EXIT
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

# Four pytest-xdist workers side by side, since the suite mostly waits (on apps, browsers, the
# sandbox's pacing) and one process would leave a core idle. Each takes the next test file as it
# is free (loadfile), longest first (tests/conftest.py), so they end together and the browser
# walks fall among the other tests; each has its own demo app, frontend build and PostgreSQL
# database (tests/conftest.py). Dealing the files into four fixed shares by measured time left the
# shares up to eight minutes apart (a file's time moves with what runs beside it).
rm -f artifacts/*junit.xml  # scripts/test_durations.py reads this run's only
.venv/bin/python -m pytest -n 4 --dist loadfile --no-loadscope-reorder --durations=15 \
  --junitxml=artifacts/junit.xml
