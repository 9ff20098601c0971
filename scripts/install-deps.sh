#!/usr/bin/env bash
# Install everything berth needs on Debian 12 (as root), then build.
# Idempotent: fast when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# docker-compose: Debian's v1 (1.29, Python) — the compose compatibility test drives it unmodified;
# gcc + libc6-dev build the seccomp test's static syscall probe, seccomp's scmp_sys_resolver names syscall numbers as runc's libseccomp does
pkgs=(runc conmon busybox-static attr iptables containernetworking-plugins tini socat tmux docker-registry skopeo openssl docker-compose gcc libc6-dev seccomp)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# Debian's docker.io brings the real engine (dockerd 20.10 + containerd), which
# test/integration/dockerd-side-by-side.test.ts runs beside berthd and the
# benches compare with, and a docker CLI for machines that have none. It must
# not start a system dockerd or containerd: no service starts during the
# install (policy-rc.d answers 101), and one that started anyway is stopped.
# Its CLI lands in /usr/bin, behind a docker CLI in /usr/local/bin on PATH.
{ command -v dockerd && command -v docker; } >/dev/null 2>&1 || missing+=(docker.io)
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  engines() { pgrep -x dockerd || true; pgrep -x containerd || true; }
  engines_before=$(engines)
  made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# scripts/install-deps.sh: start no service while installing\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ -n "$made_policy" ]; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
  for pid in $(engines); do
    grep -qx "$pid" <<<"$engines_before" || { echo "stopping $(cat /proc/"$pid"/comm) (pid $pid), started by the install" >&2; kill "$pid"; }
  done
  if [[ " ${missing[*]} " == *" docker.io "* ]] && [ "$(cat /proc/1/comm)" = systemd ]; then
    systemctl disable --now docker.socket docker.service containerd.service >/dev/null 2>&1 || true
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
