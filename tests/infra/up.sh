#!/usr/bin/env bash
# Start the test services (real Kafka + real Neo4j, no Docker) and wait until they answer.
#   bash tests/infra/up.sh            # both      (npm run infra:up)
#   bash tests/infra/up.sh kafka      # only Kafka
#   bash tests/infra/up.sh neo4j      # only Neo4j
# First run fetches the jars from Maven Central into tests/infra/.cache/ (mvn).
# Idempotent: when a service is already up it only re-checks it.
# Prints the env vars to export and writes them to tests/infra/.run/env.sh.
# Exits 0 with "SKIP: ..." when java/mvn are missing, so the tests skip visibly.
set -euo pipefail
INFRA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$INFRA/lib.sh"

services=("$@")
((${#services[@]})) || services=(kafka neo4j)
for s in "${services[@]}"; do
  [[ "$s" == kafka || "$s" == neo4j ]] || { echo "usage: $0 [kafka] [neo4j]" >&2; exit 2; }
done

if ! find_java; then
  mkdir -p "$RUN_DIR"
  echo "# SKIP: java not found; no test services" >"$RUN_DIR/env.sh"
  skip_exit "java not found"
fi
for s in "${services[@]}"; do
  if ! is_fetched "$s" && ! have_mvn; then
    mkdir -p "$RUN_DIR"
    echo "# SKIP: mvn not found; no test services" >"$RUN_DIR/env.sh"
    skip_exit "mvn not found (needed once to fetch $s)"
  fi
done

t0=$(now_ms)
# Start in parallel (fetch is network-bound, Neo4j's start-up is the long pole).
declare -A pids=()
for s in "${services[@]}"; do
  bash "$INFRA/$s.sh" start &
  pids[$s]=$!
done
failed=()
for s in "${services[@]}"; do
  wait "${pids[$s]}" || failed+=("$s")
done
write_env

if ((${#failed[@]})); then
  err "failed to start: ${failed[*]} (logs: $RUN_DIR/<service>/)"
  exit 1
fi

log "up in $(( ($(now_ms) - t0) / 1000 ))s: ${services[*]}"
echo
envfile="$RUN_DIR/env.sh"
[[ "$envfile" == "$REPO_DIR/"* ]] && envfile="${envfile#"$REPO_DIR/"}"
echo "# test services are up; use them with:  source $envfile"
grep '^export' "$RUN_DIR/env.sh"
