# Shared by scripts/services.sh and scripts/lib/*.sh: paths, messages, small helpers.
# Sourced, not run. Inputs: SARGS_SERVICES_DIR (cache and runtime folder, default <repo>/.services).

SARGS_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERVICES_DIR="${SARGS_SERVICES_DIR:-$SARGS_REPO/.services}"
RUN_DIR="$SERVICES_DIR/run"

say() { printf '[services] %s\n' "$*"; }
warn() { printf '[services] WARNING: %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

# wait_until SECONDS CMD...: runs CMD once a second until it succeeds; fails after SECONDS.
wait_until() {
  local limit=$1; shift
  local waited=0
  until "$@" >/dev/null 2>&1; do
    waited=$((waited + 1))
    [ "$waited" -ge "$limit" ] && return 1
    sleep 1
  done
}

# pid_alive PIDFILE: true when the file names a live process.
pid_alive() {
  local pid
  [ -s "$1" ] || return 1
  pid="$(cat "$1")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# mark_started NAME / started_by_us NAME: remembers which services this script started, so `stop` stops only those.
mark_started() { mkdir -p "$RUN_DIR" && : >"$RUN_DIR/started-$1"; }
started_by_us() { [ -e "$RUN_DIR/started-$1" ]; }
unmark_started() { rm -f "$RUN_DIR/started-$1"; }
