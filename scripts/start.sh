#!/usr/bin/env bash
# README command 1: set up, then run berthd in the foreground on its defaults with busybox:latest ready.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

bin/berthd "$@" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 1 100); do
  bin/berth version >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { wait $pid; exit $?; }
  sleep 0.1
done
bin/berth image bootstrap busybox
bin/berth image bootstrap registry   # berth/registry:latest, run like registry:2
echo "berthd is running (pid $pid). Try: DOCKER_HOST=unix:///run/berth/berth.sock docker run --rm busybox echo hello"
wait $pid
