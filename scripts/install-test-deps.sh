#!/usr/bin/env bash
# Installs the Debian packages the test suite uses (from the machine's own Debian sources),
# then the npm packages. Safe to run again.
set -euo pipefail
PKGS=(bind9-utils)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
npm install --no-fund --no-audit
