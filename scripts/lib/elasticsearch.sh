# Elasticsearch for tests: fetched once (Maven Central integ-test-zip, reusing ~/.m2), unpacked into the services
# folder, run as a single node on 127.0.0.1 with a data folder that outlives es-kill/es-start (fault tests).
# Sourced by scripts/services.sh after scripts/lib/common.sh.
# Inputs: SARGS_ES_VERSION (9.5.4), SARGS_ES_PORT (9200), SARGS_ES_HEAP (1g), SARGS_ES_START_TIMEOUT (120 s),
#         ES_JAVA_HOME (else the newest JDK >= 21 under /usr/lib/jvm), SARGS_ES_USER (sargs-es, used when root).
# Outputs: <base>/elasticsearch-<version>/, <base>/es-data, <base>/es-logs, <base>/es-run/es.pid.

ES_VERSION="${SARGS_ES_VERSION:-9.5.4}"
ES_PORT="${SARGS_ES_PORT:-9200}"
ES_HEAP="${SARGS_ES_HEAP:-1g}"
ES_START_TIMEOUT="${SARGS_ES_START_TIMEOUT:-120}"
ES_USER="${SARGS_ES_USER:-sargs-es}"
ES_URL="http://127.0.0.1:$ES_PORT"
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
ES_M2_ZIP="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"

# Elasticsearch refuses to run as root, so as root it runs as a system user; that user must be able to reach the
# folder. When the clone lives under a folder it cannot enter (e.g. /root), the runtime moves to /var/tmp.
es_paths() {
  ES_BASE="$SERVICES_DIR"
  if [ "$(id -u)" = 0 ]; then
    es_ensure_user
    mkdir -p "$SERVICES_DIR"
    if ! as_es test -x "$SERVICES_DIR"; then
      ES_BASE="/var/tmp/sargs-es-$(printf '%s' "$SERVICES_DIR" | md5sum | cut -c1-10)"
    fi
  fi
  ES_HOME="$ES_BASE/elasticsearch-$ES_VERSION"
  ES_DATA="$ES_BASE/es-data"
  ES_LOGS="$ES_BASE/es-logs"
  ES_TMP="$ES_BASE/es-tmp"
  ES_PIDFILE="$ES_BASE/es-run/es.pid"
}

es_ensure_user() {
  id -u "$ES_USER" >/dev/null 2>&1 && return 0
  useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
}

# as_es CMD...: runs CMD as the Elasticsearch user when root, as oneself otherwise.
as_es() {
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid="$ES_USER" --regid="$(id -g "$ES_USER")" --init-groups "$@"
  else
    "$@"
  fi
}

# Prints the home of a JDK >= 21 (Elasticsearch 9 needs it; the integ-test-zip bundles none).
es_java_home() {
  local cand major
  for cand in "${ES_JAVA_HOME:-}" "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    cand="${cand%/}"
    [ -n "$cand" ] && [ -x "$cand/bin/java" ] || continue
    major="$("$cand/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')"
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then printf '%s\n' "$cand"; return 0; fi
  done
  return 1
}

es_zip() {
  if [ ! -s "$ES_M2_ZIP" ]; then
    command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Elasticsearch $ES_VERSION"
    say "fetching Elasticsearch $ES_VERSION (integ-test-zip) through Maven" >&2
    mkdir -p "$SERVICES_DIR/dist"
    mvn -q -B dependency:copy -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$SERVICES_DIR/dist" >&2 \
      || die "could not fetch $ES_ARTIFACT"
  fi
  if [ -s "$ES_M2_ZIP" ]; then printf '%s\n' "$ES_M2_ZIP"; else printf '%s\n' "$SERVICES_DIR/dist/elasticsearch-$ES_VERSION.zip"; fi
}

es_install() {
  [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
  local zip tmp
  zip="$(es_zip)"
  command -v unzip >/dev/null || die "unzip is needed (apt-get install -y unzip)"
  tmp="$(mktemp -d "$ES_BASE/.unpack.XXXXXX")"
  unzip -q "$zip" -d "$tmp"
  mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rm -rf "$tmp"
  say "unpacked Elasticsearch $ES_VERSION into $ES_HOME"
}

# Prints the pid of our node: from the pid file, else found by its home folder (a pid file lost to an
# interrupted start or stop must not hide a running node, nor let a second one start on the same data).
es_pid() {
  if pid_alive "$ES_PIDFILE"; then cat "$ES_PIDFILE"; return 0; fi
  local pid
  pid="$(pgrep -f -- "-Des.path.home=$ES_HOME .*org.elasticsearch.bootstrap.Elasticsearch" | head -n 1 || true)"
  [ -n "$pid" ] || return 1
  printf '%s\n' "$pid" >"$ES_PIDFILE" 2>/dev/null || true
  printf '%s\n' "$pid"
}

es_healthy() {
  curl -fsS -m 5 "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1
}

es_last_logs() {
  local f
  for f in "$ES_LOGS/start.out" "$ES_LOGS/sargs-test.log"; do
    [ -s "$f" ] || continue
    printf -- '--- last lines of %s ---\n' "$f" >&2
    tail -n 30 "$f" >&2
  done
}

es_start() {
  es_paths
  local running
  if running="$(es_pid)"; then
    wait_until "$ES_START_TIMEOUT" es_healthy || { es_last_logs; die "elasticsearch (pid $running) is not healthy"; }
    say "elasticsearch already running (pid $running) at $ES_URL"
    return 0
  fi
  if es_healthy; then
    say "elasticsearch already answers at $ES_URL (not started by this script): using it"
    return 0
  fi
  local java_home
  java_home="$(es_java_home)" || die "Elasticsearch $ES_VERSION needs a JDK >= 21: none found (set ES_JAVA_HOME)"
  mkdir -p "$ES_BASE"
  es_install
  mkdir -p "$ES_DATA" "$ES_LOGS" "$ES_TMP" "$(dirname "$ES_PIDFILE")"
  rm -f "$ES_PIDFILE"
  [ "$(id -u)" = 0 ] && chown -R "$ES_USER:$(id -gn "$ES_USER")" "$ES_HOME" "$ES_DATA" "$ES_LOGS" "$ES_TMP" "$(dirname "$ES_PIDFILE")"
  say "starting elasticsearch $ES_VERSION on $ES_URL (data $ES_DATA, JDK $java_home)"
  # Test settings: one node on loopback, no security (dev only), disk watermarks off so a nearly full disk does not
  # turn indices read-only, wildcard deletes allowed so tests can clean up their own prefixes.
  (
    cd "$ES_HOME"
    as_es env ES_JAVA_HOME="$java_home" ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" ES_TMPDIR="$ES_TMP" \
      bin/elasticsearch -d -p "$ES_PIDFILE" \
      -Ecluster.name=sargs-test -Enode.name=sargs-test \
      -Ediscovery.type=single-node -Expack.security.enabled=false \
      -Enetwork.host=127.0.0.1 -Ehttp.port="$ES_PORT" \
      -Epath.data="$ES_DATA" -Epath.logs="$ES_LOGS" \
      -Ecluster.routing.allocation.disk.threshold_enabled=false \
      -Eaction.destructive_requires_name=false
  ) >"$ES_LOGS/start.out" 2>&1 9>&- &
  local launcher=$! waited=0 launched=0
  until es_healthy; do
    # With -d the launcher returns once the node has started (0) or failed (non-zero).
    if [ "$launched" = 0 ] && ! kill -0 "$launcher" 2>/dev/null; then
      launched=1
      wait "$launcher" || { es_last_logs; die "elasticsearch failed to start (see above)"; }
    elif [ "$launched" = 1 ] && ! pid_alive "$ES_PIDFILE"; then
      es_last_logs; die "elasticsearch exited during start (see above)"
    fi
    if [ "$waited" -ge "$ES_START_TIMEOUT" ]; then
      es_last_logs; es_abort_start "$launcher"
      die "elasticsearch did not become healthy within ${ES_START_TIMEOUT}s"
    fi
    sleep 1; waited=$((waited + 1))
  done
  [ "$launched" = 1 ] || wait "$launcher" 2>/dev/null || true
  say "elasticsearch healthy after ${waited}s (pid $(cat "$ES_PIDFILE" 2>/dev/null || echo '?'))"
}

# A start that timed out: stop the launcher and the node it spawned (the pid file may not be written yet; the node is
# then found by its own home folder, which no other process names).
es_abort_start() {
  { kill -s KILL "$1" && wait "$1"; } 2>/dev/null || true
  es_signal TERM 30 >/dev/null 2>&1 && return 0
  local pids
  pids="$(pgrep -f -- "-Des.path.home=$ES_HOME " || true)"
  [ -n "$pids" ] && kill -s KILL $pids 2>/dev/null || true
  rm -f "$ES_PIDFILE"
}

# es_signal SIGNAL GRACE: sends SIGNAL to our node, waits up to GRACE seconds, then SIGKILL.
es_signal() {
  local pid sig=$1 grace=$2
  pid="$(es_pid)" || return 1
  kill -s "$sig" "$pid" 2>/dev/null || true
  if ! wait_until "$grace" bash -c "! kill -0 $pid"; then
    warn "elasticsearch (pid $pid) still alive after ${grace}s: SIGKILL"
    kill -s KILL "$pid" 2>/dev/null || true
    wait_until 10 bash -c "! kill -0 $pid" || die "could not stop elasticsearch (pid $pid)"
  fi
  rm -f "$ES_PIDFILE"
  printf '%s\n' "$pid"
}

es_stop() {
  es_paths
  local pid
  if pid="$(es_signal TERM 60)"; then say "elasticsearch stopped (pid $pid)"; else say "elasticsearch: not running (by this script)"; fi
}

# Abrupt stop for fault tests: SIGKILL, data folder kept; `es-start` brings the same node back.
es_kill() {
  es_paths
  local pid
  pid="$(es_signal KILL 10)" || die "es-kill: no elasticsearch started by this script is running"
  say "elasticsearch killed (SIGKILL, pid $pid); data kept in $ES_DATA"
}

es_reset() {
  es_stop
  rm -rf "$ES_DATA" "$ES_LOGS" "$ES_TMP"
  say "elasticsearch data removed"
}

es_status() {
  es_paths
  local pid
  if pid="$(es_pid)"; then
    printf 'elasticsearch: running (pid %s) at %s, health %s\n' "$pid" "$ES_URL" \
      "$(curl -fsS -m 5 "$ES_URL/_cluster/health" 2>/dev/null | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' || true)"
    return 0
  elif es_healthy; then
    printf 'elasticsearch: answers at %s (not started by this script)\n' "$ES_URL"
    return 0
  fi
  printf 'elasticsearch: down\n'
  return 1
}
