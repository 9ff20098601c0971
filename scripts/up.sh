#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine, as root — berth's seed example
# with the unmodified docker CLI: install and build berth, start berthd on
# /run/berth/berth.sock, import the node:lts-slim base image (made from this
# machine's node, its libraries, npm and busybox), then
#   docker build --tag examplenodeapp:1.0 .      (in examples/node-app)
#   docker images
#   docker run --publish 8000:3000 --detach --name ena examplenodeapp:1.0
#   curl localhost:8000
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
bash scripts/install-deps.sh

SOCK=/run/berth/berth.sock
export DOCKER_HOST=unix://$SOCK
if ! curl -sf --unix-socket "$SOCK" http://berth/_ping >/dev/null 2>&1; then
  mkdir -p /var/log
  nohup node dist/bin/berthd.js >>/var/log/berthd.log 2>&1 </dev/null &
  for _ in $(seq 1 100); do curl -sf --unix-socket "$SOCK" http://berth/_ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
echo "berthd is up on $SOCK (log: /var/log/berthd.log)"

# The base image: node:lts-slim from this machine's node (no registry is reachable here).
if ! docker image inspect node:lts-slim >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  sh test/fixtures/make-node-rootfs.sh "$tmp/node.tar"
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$(node -p 'process.version.slice(1)')" \
    --change 'CMD ["node"]' \
    "$tmp/node.tar" node:lts-slim
  rm -rf "$tmp"
fi

# A previous run's container would hold the name and the port.
docker rm -f ena >/dev/null 2>&1 || true

cd "$REPO/examples/node-app"
docker build --tag examplenodeapp:1.0 .
docker images
docker run --publish 8000:3000 --detach --name ena examplenodeapp:1.0

# npm start takes a moment to listen.
for _ in $(seq 1 50); do curl -sf localhost:8000 >/dev/null 2>&1 && break; sleep 0.2; done
curl localhost:8000
echo
echo "Try it:  export DOCKER_HOST=$DOCKER_HOST; docker ps; docker logs ena; docker rm -f ena"
