#!/usr/bin/env bash
# Install everything berth needs on Debian 12 (as root), then build.
# Idempotent: fast when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(runc conmon busybox-static attr iptables containernetworking-plugins tini socat tmux docker-registry skopeo openssl)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# The docker CLI is used by the compatibility tests; Debian ships it in docker.io.
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
