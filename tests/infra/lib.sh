# shellcheck shell=bash disable=SC2034
# (SC2034: the variables set here are used by the scripts that source this file)
# Shared helpers for tests/infra/{up,down,kafka,neo4j}.sh. Sourced, never run.
# Everything resolves from this file's own directory, so the scripts work from any cwd.

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$INFRA_DIR/../.." && pwd)"
CACHE_DIR="${INFRA_CACHE_DIR:-$INFRA_DIR/.cache}"
RUN_DIR="${INFRA_RUN_DIR:-$INFRA_DIR/.run}"
POM="$INFRA_DIR/pom.xml"

# Fixed test endpoints (overridable, but the defaults are what CI and the docs assume).
KAFKA_HOST=127.0.0.1
KAFKA_PORT="${INFRA_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${INFRA_KAFKA_CONTROLLER_PORT:-19093}"
NEO4J_HOST=127.0.0.1
NEO4J_BOLT_PORT="${INFRA_NEO4J_BOLT_PORT:-17687}"
NEO4J_TEST_USER=neo4j
NEO4J_TEST_PASSWORD=kgrca-test-password

# Heaps are small on purpose: the machine has 2 cores and is shared.
KAFKA_HEAP="${INFRA_KAFKA_HEAP:--Xms64m -Xmx512m}"
NEO4J_HEAP="${INFRA_NEO4J_HEAP:--Xms128m -Xmx512m}"
NEO4J_PAGECACHE="${INFRA_NEO4J_PAGECACHE:-64m}"

START_TIMEOUT="${INFRA_START_TIMEOUT:-240}" # seconds, per service (a loaded 2-core box is slow)
STOP_TIMEOUT="${INFRA_STOP_TIMEOUT:-60}"    # seconds before SIGKILL

pom_prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$POM" | head -n1; }
KAFKA_VERSION="$(pom_prop kafka.version)"
NEO4J_VERSION="$(pom_prop neo4j.version)"

log() { printf '[infra %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
err() { printf '[infra %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

now_ms() { date +%s%3N; }

# --- tools -----------------------------------------------------------------

# Sets JAVA (path to a java >= 17) or returns 1. INFRA_JAVA_HOME > JAVA_HOME > PATH.
find_java() {
  local cand=""
  if [[ -n "${INFRA_JAVA_HOME:-}" && -x "$INFRA_JAVA_HOME/bin/java" ]]; then
    cand="$INFRA_JAVA_HOME/bin/java"
  elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    cand="$JAVA_HOME/bin/java"
  else
    cand="$(command -v java 2>/dev/null || true)"
  fi
  [[ -n "$cand" ]] || return 1
  local ver major
  ver="$("$cand" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
  major="${ver%%.*}"
  if [[ ! "$major" =~ ^[0-9]+$ || "$major" -lt 17 ]]; then
    err "java at $cand is version '${ver:-?}', need >= 17"
    return 1
  fi
  JAVA="$cand"
  JAVA_MAJOR="$major"
}

have_mvn() { command -v mvn >/dev/null 2>&1; }

# Prints the SKIP notice and exits 0 (so CI goes on and the tests skip visibly).
skip_exit() {
  echo "SKIP: $* — Kafka/Neo4j integration tests will be skipped"
  exit 0
}

# --- fetching (Maven Central via mvn) ----------------------------------------

# lib_dir SERVICE -> folder of the jars
lib_dir() {
  case "$1" in
    kafka) echo "$CACHE_DIR/kafka-$KAFKA_VERSION/lib" ;;
    neo4j) echo "$CACHE_DIR/neo4j-$NEO4J_VERSION/lib" ;;
  esac
}

is_fetched() { [[ -f "$(lib_dir "$1")/.complete" ]]; }

# fetch SERVICE: first time only; copies the runtime jars into .cache/<svc>-<ver>/lib.
fetch() {
  local svc="$1" dir tmp t0 mlog
  is_fetched "$svc" && return 0
  have_mvn || { err "mvn not found and $(lib_dir "$svc") is not populated"; return 1; }
  dir="$(lib_dir "$svc")"
  tmp="$dir.tmp.$$"
  mlog="$CACHE_DIR/fetch-$svc.log"
  mkdir -p "$CACHE_DIR"
  rm -rf "$dir".tmp.* # leftovers of an interrupted fetch (callers hold the service lock)
  t0=$(now_ms)
  log "$svc: fetching jars from Maven Central (first time only) ..."
  local repo_opt=()
  [[ -n "${INFRA_MAVEN_REPO:-}" ]] && repo_opt=("-Dmaven.repo.local=$INFRA_MAVEN_REPO")
  if ! mvn -B -ntp -f "$POM" -P "$svc" "${repo_opt[@]}" \
    dependency:copy-dependencies "-Dinfra.lib.dir=$tmp" >"$mlog" 2>&1; then
    err "$svc: mvn dependency:copy-dependencies failed; tail of $mlog:"
    tail -n 30 "$mlog" >&2
    rm -rf "$tmp"
    return 1
  fi
  touch "$tmp/.complete"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  log "$svc: fetched $(find "$dir" -name '*.jar' | wc -l) jars ($(du -sh "$dir" | cut -f1)) in $(( ($(now_ms) - t0) / 1000 ))s"
}

# --- process handling ------------------------------------------------------

svc_dir() { echo "$RUN_DIR/$1"; }
pid_file() { echo "$RUN_DIR/$1/$1.pid"; }
log_file() { echo "$RUN_DIR/$1/$1.log"; }

# Prints the pid of our running SERVICE process, or returns 1 (and drops a stale pid file).
# A pid counts only if its command line carries our marker -Dkgrca.infra=SERVICE,
# so a recycled pid is never mistaken for ours.
running_pid() {
  local svc="$1" pf pid
  pf="$(pid_file "$svc")"
  [[ -f "$pf" ]] || return 1
  pid="$(cat "$pf" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]] &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-Dkgrca.infra=$svc "; then
    echo "$pid"
    return 0
  fi
  rm -f "$pf"
  return 1
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# launch SERVICE CMD...: starts CMD detached (own session, survives the caller's
# Ctrl-C), appends its output to the service log and records its pid.
launch() {
  local svc="$1"
  shift
  local lf pf
  lf="$(log_file "$svc")"
  pf="$(pid_file "$svc")"
  mkdir -p "$(svc_dir "$svc")"
  rm -f "$pf"
  printf '\n===== %s starting %s =====\n' "$(date -Is)" "$svc" >>"$lf"
  # The inner shell writes its own pid, then execs java: the pid file holds java's pid.
  # fd 9 is the caller's flock (see with_lock): the service must not inherit it.
  # shellcheck disable=SC2016
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pf" "$@" </dev/null >>"$lf" 2>&1 9>&- &
  local _
  for _ in $(seq 1 50); do
    [[ -s "$pf" ]] && return 0
    sleep 0.1
  done
  err "$svc: launcher did not write $pf"
  return 1
}

# Print the last lines of the service's logs.
tail_logs() {
  local svc="$1" f
  for f in "$(log_file "$svc")" "$@"; do
    [[ -f "$f" ]] || continue
    echo "----- tail of $f -----" >&2
    tail -n 40 "$f" >&2
  done
}

# wait_port SERVICE HOST PORT DEADLINE_MS: waits for the TCP port while the process lives.
wait_port() {
  local svc="$1" host="$2" port="$3" deadline="$4"
  while ! port_open "$host" "$port"; do
    if ! running_pid "$svc" >/dev/null; then
      err "$svc: process exited during start-up"
      return 1
    fi
    if (($(now_ms) > deadline)); then
      err "$svc: port $host:$port not open after ${START_TIMEOUT}s"
      return 1
    fi
    sleep 0.5
  done
}

# probe SERVICE TIMEOUT_S [--smoke]: a real protocol check with the project's node clients.
probe() {
  local svc="$1" timeout="$2"
  shift 2
  if command -v node >/dev/null 2>&1 && [[ -d "$REPO_DIR/node_modules/kafkajs" && -d "$REPO_DIR/node_modules/neo4j-driver" ]]; then
    KAFKA_BROKERS="$KAFKA_HOST:$KAFKA_PORT" NEO4J_URL="bolt://$NEO4J_HOST:$NEO4J_BOLT_PORT" \
      NEO4J_USER="$NEO4J_TEST_USER" NEO4J_PASSWORD="$NEO4J_TEST_PASSWORD" \
      node "$INFRA_DIR/probe.mjs" "$svc" --timeout "$timeout" "$@"
  else
    log "$svc: node or node_modules missing; only the TCP port was checked"
    return 0
  fi
}

# stop_svc SERVICE [SIGNAL]: SIGTERM (or SIGNAL), wait, SIGKILL after STOP_TIMEOUT.
stop_svc() {
  local svc="$1" sig="${2:-TERM}" pid t0
  if ! pid="$(running_pid "$svc")"; then
    log "$svc: not running"
    return 0
  fi
  t0=$(now_ms)
  log "$svc: stopping pid $pid (SIG$sig) ..."
  kill -s "$sig" "$pid" 2>/dev/null || true
  local deadline=$(($(now_ms) + STOP_TIMEOUT * 1000))
  while kill -0 "$pid" 2>/dev/null; do
    if (($(now_ms) > deadline)); then
      err "$svc: still alive after ${STOP_TIMEOUT}s; SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$(pid_file "$svc")"
  log "$svc: stopped in $(($(now_ms) - t0))ms"
}

# proc_usage PID -> "cpu 12.3s, rss 456MB" (CPU time used so far, resident memory)
proc_usage() {
  local pid="$1" st ticks rss
  st="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 0
  st="${st##*) }"
  ticks="$(getconf CLK_TCK)"
  rss="$(awk '/^VmRSS:/ {print int($2/1024)}' "/proc/$pid/status" 2>/dev/null)"
  echo "$st" | awk -v t="$ticks" -v r="$rss" '{printf "cpu %.1fs, rss %sMB", ($12+$13)/t, r}'
}

status_svc() {
  local svc="$1" host="$2" port="$3" pid
  if pid="$(running_pid "$svc")"; then
    if port_open "$host" "$port"; then
      echo "$svc: running (pid $pid) on $host:$port ($(proc_usage "$pid"))"
    else
      echo "$svc: starting (pid $pid), $host:$port not open yet"
    fi
    return 0
  fi
  echo "$svc: stopped"
  return 3
}

# Common JVM flags: small footprint on a shared 2-core box. C1-only JIT
# (TieredStopAtLevel=1) measured: Neo4j start 18s -> 11s of CPU, about half the wall
# time; steady-state speed is lower, which tests do not notice. Later flags win:
# INFRA_NEO4J_JAVA_OPTS / INFRA_KAFKA_JAVA_OPTS="-XX:TieredStopAtLevel=4" restores C2.
JVM_COMMON=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow
  -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djava.net.preferIPv4Stack=true)

# Serialise start/stop of one service across concurrent callers (parallel test workers).
with_lock() {
  local svc="$1"
  shift
  mkdir -p "$RUN_DIR"
  (
    flock -w 600 9 || {
      err "$svc: could not take $RUN_DIR/.$svc.lock"
      exit 1
    }
    "$@"
  ) 9>"$RUN_DIR/.$svc.lock"
}

# write_env: tests/infra/.run/env.sh with the variables of the services that run now.
write_env() {
  mkdir -p "$RUN_DIR"
  local f="$RUN_DIR/env.sh" tmp
  tmp="$f.tmp.$$"
  {
    echo "# Written by tests/infra/up.sh on $(date -Is). Use: source $f"
    if running_pid kafka >/dev/null; then
      echo "export KAFKA_BROKERS=$KAFKA_HOST:$KAFKA_PORT"
    else
      echo "# kafka not running: KAFKA_BROKERS left unset"
    fi
    if running_pid neo4j >/dev/null; then
      echo "export NEO4J_URL=bolt://$NEO4J_HOST:$NEO4J_BOLT_PORT"
      echo "export NEO4J_USER=$NEO4J_TEST_USER"
      echo "export NEO4J_PASSWORD=$NEO4J_TEST_PASSWORD"
    else
      echo "# neo4j not running: NEO4J_URL/NEO4J_USER/NEO4J_PASSWORD left unset"
    fi
  } >"$tmp"
  mv "$tmp" "$f"
}
