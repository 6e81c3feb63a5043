#!/usr/bin/env bash
# start|stop the local PostgreSQL used by the tests (Debian's postgresql package; installed if missing).
# `start` leaves a marker so that `stop` only stops a server this script started.
# The cluster is the one on PostgreSQL's default port, where psql and the tests look: a machine
# may hold others (a developer's second cluster, listed before "main" by name).
set -euo pipefail
marker="$(dirname "$0")/../.assay/postgres-started-by-tests"
case "${1:-}" in
  start)
    if ! command -v pg_lsclusters >/dev/null; then
      apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    fi
    read -r version cluster _ status _ < <(pg_lsclusters --no-header | awk '$3 == 5432' | head -1) ||
      { echo "no PostgreSQL cluster listens on port 5432 (pg_lsclusters); create one: pg_createcluster 15 main" >&2; exit 1; }
    if [ "$status" != online ]; then
      pg_ctlcluster "$version" "$cluster" start
      mkdir -p "$(dirname "$marker")" && touch "$marker"
    fi
    su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'assay'\"" >/dev/null
    ;;
  stop)
    if [ -f "$marker" ]; then
      read -r version cluster _ < <(pg_lsclusters --no-header | awk '$3 == 5432' | head -1)
      pg_ctlcluster "$version" "$cluster" stop || true
      rm -f "$marker"
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
