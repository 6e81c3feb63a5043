#!/usr/bin/env bash
# Runs the whole test suite: lint, then pytest on SQLite and PostgreSQL, and the browser walks
# (including production mode: PostgreSQL + Redis + several backend workers).
# PostgreSQL and Redis (Debian's packages) are started here and stopped at the end if we started them.
set -euo pipefail
cd "$(dirname "$0")/.."
export REFLEX_BUN_PATH="${REFLEX_BUN_PATH:-$PWD/.tools/node_modules/.bin/bun}"
mkdir -p artifacts

stop_servers() {
  bash scripts/postgres.sh stop
  bash scripts/redis.sh stop
}
if [ -z "${ASSAY_TEST_POSTGRES_URL:-}" ]; then
  bash scripts/postgres.sh start
  trap stop_servers EXIT
  export ASSAY_TEST_POSTGRES_URL="postgresql+psycopg://postgres:assay@127.0.0.1:5432/postgres"
fi
if [ -z "${ASSAY_TEST_REDIS_URL:-}" ]; then
  bash scripts/redis.sh start
  trap stop_servers EXIT
  export ASSAY_TEST_REDIS_URL="redis://127.0.0.1:${ASSAY_TEST_REDIS_PORT:-6379}"
fi

.venv/bin/ruff check .
.venv/bin/python -m pytest --durations=15 "$@"
