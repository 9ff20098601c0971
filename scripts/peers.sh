#!/usr/bin/env bash
# scripts/peers.sh — run the upstream client suites (docker-py 5.0.3, dockerode 5.0.1; the runners in
# ../shared/peers) against a FRESH berthd from this checkout's dist/, N times, and check after every run
# that the same berthd is alive, answers /_ping and logged no crash. Builds nothing: run
# `npx tsc -p tsconfig.json` first. Removes every trace of the daemon at the end (containers, volumes,
# networks, images, mounts, cgroups, bridge, iptables rules of its prefix, temp dirs); keeps the logs.
# The body is one { } block, so bash reads it whole before running: editing this file during a run is safe.
{
set -u
REPO="$(cd "$(dirname "$0")/.." && pwd)"

usage() {
  cat <<EOF
usage: scripts/peers.sh docker-py|dockerode|all [--runs N] [--strict] [--debug] [--no-mirror] [-- RUNNER-ARGS...]

  Starts a fresh berthd ($REPO/dist/bin/berthd.js) on temporary roots with its own socket, cgroup parent,
  network prefix, bridge, --bip and address pool, imports busybox:latest, runs the suite(s) N times
  (default 1) and checks after each run that the daemon (same pid) is alive, answers /_ping and that its
  log has no uncaught exception, unhandled 'error' event, unhandled rejection or stack trace.
  RUNNER-ARGS go to the runner(s): pytest args for docker-py (-k NAME, --deselect ID), mocha args for
  dockerode (--grep NAME; this sets FULL=1 for it, as the runner's own exclusion is a --grep too);
  SPECS="test/container.js" picks dockerode files.

  --debug starts berthd with -D (every request's method, path, status in its log).
  Docker Hub is not reachable here, so by default a local Docker Hub mirror stands in for it, as a
  registry mirror does for dockerd (daemon.json "registry-mirrors"): \`berth registry serve\` on a free
  127.0.0.1 port holding library/busybox:latest (the imported image, pushed there), and berthd started
  with --registry-mirror pointing at it. The suites' pulls of busybox:latest, and the distribution
  inspect of it, then work as on a dockerd given the same mirror; anything else (hello-world) is not
  there, and falls through to Docker Hub, which cannot be reached. --no-mirror runs without it.
  Each run's full output, junit.xml / mocha.log and a .failures file (distinct counts, every failing
  test with a one-line reason, the test where the daemon was lost) are kept beside the berthd log.

  Exit status: 0 the daemon survived every run; 1 it died or logged a crash (or traces were left);
  2 usage or setup error; 3 (only with --strict) it survived but tests failed.

Environment:
  DOCKER_PY_GIT_DIR   git dir of github docker/docker-py (tag 5.0.3), e.g. /work/.mirror/docker+docker-py/repo
  DOCKERODE_GIT_DIR   git dir of github apocas/dockerode (tag v5.0.1), e.g. /work/.mirror/apocas+dockerode/repo
  PEERS_DIR           the runners (default: $REPO/../shared/peers)
  PEERS_LOG_DIR       where the berthd log and each run's output are kept (default: /tmp/berthd-peers/<time>)
  PEERS_BIP, PEERS_POOL  the daemon's --bip and address pool (default 10.97.200.1/24, 10.113.200.0/21;
                      free ones are picked if a host route overlaps them)
  BERTH_TEST_PREFIX   names of the temp root and cgroup parent, network marker (default: berth-pe-)
  FULL, INCLUDE_DESTRUCTIVE, INCLUDE_FLAKY, TEST_TIMEOUT, SPECS   passed to the runners (see their headers)
  DOCKER_TEST_API_VERSION  docker-py's own: the API version its tests speak (default: the daemon's newest,
                      1.50 with berthd; dockerd 20.10 serves 1.41, so DOCKER_TEST_API_VERSION=1.41 compares
                      berthd with it at the same version)
EOF
}

SUITES=() RUNS=1 STRICT=0 EXTRA=() DEBUG=() MIRROR=1
while [ $# -gt 0 ]; do
  case "$1" in
    docker-py|dockerode) SUITES+=("$1") ;;
    all) SUITES+=(docker-py dockerode) ;;
    --runs) RUNS="${2:-}"; shift ;;
    --runs=*) RUNS="${1#--runs=}" ;;
    --strict) STRICT=1 ;;
    --debug) DEBUG=(-D) ;;
    --no-mirror) MIRROR=0 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; EXTRA=("$@"); break ;;
    *) echo "peers: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[ ${#SUITES[@]} -gt 0 ] || { usage >&2; exit 2; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "peers: --runs needs a positive number" >&2; exit 2; }

export BERTH_TEST_PREFIX="${BERTH_TEST_PREFIX:-berth-pe-}"
PEERS_DIR="${PEERS_DIR:-$REPO/../shared/peers}"
BERTHD="$REPO/dist/bin/berthd.js"
HELPER="$REPO/dist/test/peers/peers-daemon.js"
for f in "$BERTHD" "$HELPER"; do
  [ -f "$f" ] || { echo "peers: $f missing; build first: npx tsc -p tsconfig.json" >&2; exit 2; }
done
for s in "${SUITES[@]}"; do
  [ -x "$PEERS_DIR/$s/run.sh" ] || { echo "peers: no runner $PEERS_DIR/$s/run.sh (set PEERS_DIR)" >&2; exit 2; }
  case "$s" in
    docker-py) var=DOCKER_PY_GIT_DIR tag=5.0.3 ;;
    dockerode) var=DOCKERODE_GIT_DIR tag=v5.0.1 ;;
  esac
  dir="${!var:-}"
  [ -n "$dir" ] || { echo "peers: set $var (see --help)" >&2; exit 2; }
  git --git-dir="$dir" rev-parse -q --verify "refs/tags/$tag" >/dev/null || { echo "peers: $var=$dir has no tag $tag" >&2; exit 2; }
done

LOGDIR="${PEERS_LOG_DIR:-/tmp/berthd-peers/$(date +%Y%m%d-%H%M%S)-$$}"
mkdir -p "$LOGDIR" || exit 2
LOG="$LOGDIR/berthd.log"
plan="$(node "$HELPER" plan "${PEERS_BIP:-10.97.200.1/24}" "${PEERS_POOL:-10.113.200.0/21}")" || exit 2
eval "$plan"   # ROOT SOCK DATA_ROOT EXEC_ROOT CGROUP_PARENT NET_PREFIX BRIDGE BIP POOL SUBNETS_PICKED

# A crash of berthd (no uncaughtException handler: node prints the error and its stack and exits) or an
# unhandled rejection (logged with its stack by src/daemon/main.ts). Log lines of berthd itself start with time=.
CRASH_RE="Emitted 'error' event|Unhandled 'error' event|[Uu]ncaught|unhandled rejection|level=fatal|FATAL ERROR|throw er;|^[[:space:]]+at |^[A-Za-z]*Error( \[[A-Z_0-9]+\])?: |node:internal/"
PID='' REG_PID='' MIRROR_ARGS=() FINISHED=0 CRASHED=0 DIED=0 LEFT=0 TESTS_FAILED=0 SUMMARY=()

daemon_alive() {
  [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null && tr '\0' ' ' <"/proc/$PID/cmdline" 2>/dev/null | grep -qF -- "$SOCK"
}
ping_ok() { [ "$(curl -s --max-time 15 --unix-socket "$SOCK" http://berthd/_ping 2>/dev/null)" = OK ]; }

# crash_lines FROM_BYTE: the crash lines berthd logged from that offset on (printed), status 0 if any.
crash_lines() {
  local hits
  hits="$(tail -c +"$(($1 + 1))" "$LOG" | grep -E -- "$CRASH_RE")" || return 1
  echo "$hits" | head -n 60 | sed 's/^/    /'
  [ "$(echo "$hits" | wc -l)" -le 60 ] || echo "    ... ($(echo "$hits" | wc -l) lines; see $LOG)"
  return 0
}

finish() {
  [ "$FINISHED" = 1 ] && return
  FINISHED=1
  trap - INT TERM
  echo "peers: cleaning up"
  local off
  off=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
  local res rc
  if daemon_alive; then
    res="$(node "$HELPER" clear "$SOCK" 2>&1)"; rc=$?
    echo "$res" | sed 's/^/peers: clear: /'
    [ "$rc" = 0 ] || LEFT=1
    kill -TERM "$PID"
    for _ in $(seq 200); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PID" 2>/dev/null; then
      echo "peers: berthd $PID did not stop within 20s of SIGTERM; SIGKILL"; kill -KILL "$PID"; CRASHED=1
    fi
    wait "$PID" 2>/dev/null
    echo "peers: berthd $PID stopped (exit status $?)"
    if crash_lines "$off" >/dev/null; then echo "peers: crash lines during shutdown:"; crash_lines "$off"; CRASHED=1; fi
  fi
  if [ -n "$REG_PID" ] && kill -0 "$REG_PID" 2>/dev/null; then
    kill -TERM "$REG_PID"; wait "$REG_PID" 2>/dev/null; echo "peers: mirror registry $REG_PID stopped"
  fi
  res="$(node "$HELPER" cleanup "$ROOT" "$CGROUP_PARENT" "$NET_PREFIX" 2>&1)"; rc=$?
  echo "$res" | sed 's/^/peers: cleanup: /'
  [ "$rc" = 0 ] || LEFT=1
  echo "peers: ---- summary ----"
  for l in "${SUMMARY[@]}"; do echo "peers: $l"; done
  echo "peers: berthd log: $LOG"
  echo "peers: run outputs: $LOGDIR"
}
trap 'finish' EXIT
trap 'echo "peers: interrupted"; CRASHED=1; exit 130' INT TERM

echo "peers: berthd log: $LOG"
echo "peers: root $ROOT, network prefix $NET_PREFIX, bridge $BRIDGE, bip $BIP, pool $POOL$([ "$SUBNETS_PICKED" = 1 ] && echo ' (picked: the defaults overlap a host route)')"
echo '{}' >"$ROOT/daemon.json"
if [ "$MIRROR" = 1 ]; then
  MPORT="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();})")" || exit 2
  setsid node "$REPO/dist/bin/berth.js" registry serve --addr "127.0.0.1:$MPORT" --root "$ROOT/mirror" </dev/null >>"$LOGDIR/mirror.log" 2>&1 &
  REG_PID=$!
  for _ in $(seq 100); do curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$MPORT/v2/" && break; sleep 0.1; done
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$MPORT/v2/" || { echo "peers: the mirror registry did not come up:"; tail -n 20 "$LOGDIR/mirror.log"; exit 2; }
  MIRROR_ARGS=(--registry-mirror "http://127.0.0.1:$MPORT")
  echo "peers: Docker Hub mirror: berth registry serve (pid $REG_PID) at http://127.0.0.1:$MPORT"
fi
# its own session, so a ^C reaches the runner only and berthd is stopped by finish()
setsid node "$BERTHD" -H "unix://$SOCK" --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" --cgroup-parent "$CGROUP_PARENT" \
  --config-file "$ROOT/daemon.json" --network-prefix "$NET_PREFIX" --bridge "$BRIDGE" --bip "$BIP" \
  --default-address-pool "base=$POOL,size=24" "${MIRROR_ARGS[@]}" "${DEBUG[@]}" </dev/null >>"$LOG" 2>&1 &
PID=$!
for _ in $(seq 300); do
  ping_ok && break
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.1
done
if ! daemon_alive || ! ping_ok; then
  echo "peers: berthd did not come up:"; tail -n 30 "$LOG" | sed 's/^/    /'; DIED=1; exit 1
fi
echo "peers: berthd pid $PID up at unix://$SOCK"

sh "$REPO/test/fixtures/make-busybox-rootfs.sh" "$ROOT/busybox.tar" || exit 2
import="$(curl -s --max-time 120 --unix-socket "$SOCK" -X POST -H 'Content-Type: application/x-tar' --data-binary "@$ROOT/busybox.tar" \
  'http://berthd/v1.41/images/create?fromSrc=-&repo=busybox&tag=latest&changes=CMD%20%5B%22sh%22%5D')"
echo "$import" | grep -q '"status":"sha256:' || { echo "peers: busybox import failed: $import"; exit 2; }
rm -f "$ROOT/busybox.tar"
echo "peers: busybox:latest imported ($(echo "$import" | jq -r .status 2>/dev/null | head -1))"
if [ "$MIRROR" = 1 ]; then
  api() { curl -s --max-time 120 --unix-socket "$SOCK" "$@"; }
  mref="127.0.0.1:$MPORT/library/busybox"
  api -X POST "http://berthd/v1.41/images/busybox:latest/tag?repo=$mref&tag=latest" >/dev/null
  push="$(api -X POST -H 'X-Registry-Auth: e30=' "http://berthd/v1.41/images/$mref/push?tag=latest")"
  api -X DELETE "http://berthd/v1.41/images/$mref:latest" >/dev/null
  if ! echo "$push" | grep -q 'digest: sha256:' || echo "$push" | grep -q '"error"'; then echo "peers: pushing busybox to the mirror failed: $push"; exit 2; fi
  echo "peers: busybox:latest is library/busybox:latest on the mirror"
fi

run_suite() { # SUITE RUN
  local s=$1 i=$2 off out tmp closing rc state
  out="$LOGDIR/$s-run$i.out"
  off=$(stat -c %s "$LOG")
  tmp="$ROOT/tmp-$s-$i"; mkdir -p "$tmp"
  echo "peers: ==== $s run $i/$RUNS (output: $out) ===="
  # dockerode's runner drops its offline-failing tests with --grep ... --invert: a --grep of ours would be
  # inverted with it (mocha keeps one --grep), so FULL=1 turns that exclusion off
  local full="${FULL:-0}"
  if [ "$s" = dockerode ] && printf '%s\n' "${EXTRA[@]}" | grep -qE '^(--grep|-g|--fgrep|-f)(=|$)'; then full=1; fi
  # TMPDIR: the runner's work dir (KEEP=1) lands under our root, so its full pytest/mocha log can be kept
  DOCKER_HOST="unix://$SOCK" TMPDIR="$tmp" KEEP=1 FULL="$full" "$PEERS_DIR/$s/run.sh" "${EXTRA[@]}" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  for f in "$tmp"/tmp.*/pytest.log "$tmp"/tmp.*/junit.xml "$tmp"/tmp.*/mocha.log; do
    [ -f "$f" ] && cp "$f" "$LOGDIR/$s-run$i.$(basename "$f")"
  done
  rm -rf "$tmp"
  # distinct counts, each failing test with a one-line reason, the test where the daemon was lost
  local src="$LOGDIR/$s-run$i.junit.xml"
  [ "$s" = dockerode ] && src="$LOGDIR/$s-run$i.mocha.log"
  if [ -f "$src" ] && node "$HELPER" report "$s" "$src" >"$LOGDIR/$s-run$i.failures" 2>&1; then
    grep -v '^FAILED ' "$LOGDIR/$s-run$i.failures" | sed 's/^/peers: /'
    echo "peers: failing tests with reasons: $LOGDIR/$s-run$i.failures"
  fi
  closing="$(grep -E "^$s: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped" "$out" | tail -n 1)"
  [ -n "$closing" ] || closing="$s: no closing line (runner exit status $rc)"
  [ "$rc" = 0 ] || TESTS_FAILED=1
  state="berthd $PID alive, /_ping OK"
  if ! daemon_alive; then state="berthd $PID DIED"; DIED=1
  elif ! ping_ok; then state="berthd $PID alive but /_ping FAILED"; DIED=1; fi
  if crash_lines "$off" >/dev/null; then
    state="$state, CRASH LINES in its log"; CRASHED=1
    echo "peers: crash lines berthd logged during $s run $i ($LOG from byte $off):"; crash_lines "$off"
  else
    state="$state, no crash lines"
  fi
  # anything else berthd wrote outside its logger (node warnings such as MaxListenersExceededWarning): shown, not fatal
  local other
  other="$(tail -c +"$((off + 1))" "$LOG" | grep -v -e '^time="' | grep -v -E -- "$CRASH_RE" | grep -v -e '^(Use `node --trace' -e '^$')"
  [ -z "$other" ] || { echo "peers: berthd also wrote (not a crash):"; echo "$other" | sort | uniq -c | head -n 10 | sed 's/^/    /'; }
  echo "peers: run $i/$RUNS $closing — $state"
  SUMMARY+=("run $i/$RUNS $closing — $state")
}

for ((i = 1; i <= RUNS; i++)); do
  for s in "${SUITES[@]}"; do
    run_suite "$s" "$i"
    [ "$DIED" = 0 ] || break 2
  done
done
finish
if [ "$DIED" = 1 ] || [ "$CRASHED" = 1 ]; then echo "peers: FAIL: berthd died or logged a crash"; exit 1; fi
if [ "$LEFT" = 1 ]; then echo "peers: FAIL: berthd survived, but something was left behind (above)"; exit 1; fi
if [ "$STRICT" = 1 ] && [ "$TESTS_FAILED" = 1 ]; then echo "peers: berthd survived; tests failed"; exit 3; fi
echo "peers: berthd survived every run"
exit 0
}
