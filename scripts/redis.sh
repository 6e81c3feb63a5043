#!/usr/bin/env bash
# start|stop the local Redis used by the production-mode tests (Debian's redis-server; installed if missing).
# `start` leaves a marker so that `stop` only stops a server this script started.
set -euo pipefail
marker="$(dirname "$0")/../.assay/redis-started-by-tests"
port="${ASSAY_TEST_REDIS_PORT:-6379}"
case "${1:-}" in
  start)
    if ! command -v redis-server >/dev/null; then
      apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
    fi
    if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
      redis-server --port "$port" --daemonize yes --save "" --appendonly no >/dev/null
      mkdir -p "$(dirname "$marker")" && touch "$marker"
      for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    ;;
  stop)
    if [ -f "$marker" ]; then
      redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
      rm -f "$marker"
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
