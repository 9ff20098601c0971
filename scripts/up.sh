#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine, as root: install, build, start
# berthd on /run/berth/berth.sock, import a busybox image and run a sample
# container through the API with the docker CLI (and berth).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

SOCK=/run/berth/berth.sock
export DOCKER_HOST=unix://$SOCK
if ! curl -sf --unix-socket "$SOCK" http://berth/_ping >/dev/null 2>&1; then
  mkdir -p /var/log
  nohup node dist/bin/berthd.js >>/var/log/berthd.log 2>&1 </dev/null &
  for _ in $(seq 1 100); do curl -sf --unix-socket "$SOCK" http://berth/_ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
echo "berthd is up on $SOCK (log: /var/log/berthd.log)"

if ! docker image inspect busybox >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  sh test/fixtures/make-busybox-rootfs.sh "$tmp/busybox.tar"
  node dist/bin/berth.js import --change 'CMD ["sh"]' "$tmp/busybox.tar" busybox:latest
  rm -rf "$tmp"
fi
docker images
docker run --rm busybox echo "hello from a berth container"
node dist/bin/berth.js run --rm --memory 64m busybox sh -c 'echo "hostname: $(hostname), pid 1: $(cat /proc/1/comm)"'
echo
echo "Try it:  export DOCKER_HOST=$DOCKER_HOST; docker run -d --name w1 busybox sleep 300; docker ps"
