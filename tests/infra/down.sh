#!/usr/bin/env bash
# Stop the test services (both, or the ones named). Idempotent.
#   bash tests/infra/down.sh [kafka] [neo4j]      (npm run infra:down)
#   bash tests/infra/down.sh --purge [kafka] [neo4j]   also delete their data
set -euo pipefail
INFRA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$INFRA/lib.sh"

action=stop
services=()
for a in "$@"; do
  case "$a" in
    --purge) action=reset ;;
    kafka | neo4j) services+=("$a") ;;
    *) echo "usage: $0 [--purge] [kafka] [neo4j]" >&2; exit 2 ;;
  esac
done
((${#services[@]})) || services=(kafka neo4j)

declare -A pids=()
for s in "${services[@]}"; do
  bash "$INFRA/$s.sh" "$action" &
  pids[$s]=$!
done
rc=0
for s in "${services[@]}"; do
  wait "${pids[$s]}" || rc=1
done
write_env
exit $rc
