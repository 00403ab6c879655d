#!/usr/bin/env bash
# README command 2: the same set-up, then every test (unit, then integration against real containers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

status=0
echo "== unit tests"
node scripts/run-tests.mjs unit || status=1
echo "== integration tests (real crun/conmon/overlayfs, real docker CLI)"
node scripts/run-tests.mjs integration || status=1
exit $status
