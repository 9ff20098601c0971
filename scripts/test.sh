#!/usr/bin/env bash
# The whole test suite: install and build, check the dependency rules, then
# unit tests and integration tests (real berthd, real containers) in one
# node:test run, ending with a check that nothing was left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
npx depcruise --config .dependency-cruiser.cjs src bin
unit=$(find dist/src dist/test/peers -name '*.test.js' | sort)
integration=$(find dist/test/integration -name '*.test.js' ! -name 'zz-*' | sort)
exec node --test --test-concurrency=1 --test-reporter=spec $unit $integration dist/test/integration/zz-no-leftovers.test.js
