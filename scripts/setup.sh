#!/usr/bin/env bash
# Installs what is missing (Debian packages, npm dependencies) and builds berth.
# Idempotent: a second run installs nothing and only rebuilds.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "berth setup: run as root (containers need namespaces, cgroups and overlay mounts)" >&2
  exit 1
fi

packages=(crun runc conmon busybox-static tini perl-base iproute2 nftables iptables ca-certificates openssl tmux
  docker-registry skopeo apache2-utils wrk zstd docker-compose curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "berth setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# docker-registry's package enables a system service; the registry tests start their own on loopback.
rm -f /etc/systemd/system/multi-user.target.wants/docker-registry.service

# 20.16 for process.getBuiltinModule (the CLI loads node:http lazily with it).
if ! command -v node >/dev/null || ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 16) ? 0 : 1)'; then
  echo "berth setup: Node.js 20.16 or newer is required" >&2
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "berth setup: installing npm dependencies"
  # npm ci refuses this lock file: node-unix-socket lists optional per-platform packages that the
  # registry does not serve, so the lock cannot name them. npm install honours the lock all the same.
  npm install --no-audit --no-fund --loglevel=error
fi

echo "berth setup: building"
npm run --silent build
