#!/usr/bin/env bash
# Installs the Debian packages the test suite and the benchmarks use (from the machine's own
# Debian sources), then the npm packages. Safe to run again.
#   bind9-utils    named-checkzone, for the RPZ export tests
#   bind9-dnsutils dig, for the DNS tests (Debian ships dig there, not in bind9-utils)
#   nsd            a real authoritative DNS server, the upstream of the DNS gateway's tests
#   knot-dnsutils  kdig
#   dnsperf        the DNS gateway's benchmark load generator
#   unbound        the benchmark's reference resolver
#   poppler-utils  pdftotext and pdftoppm, for the report PDF tests
#   chromium       the console's end-to-end tests (driven by playwright-core; no browser download)
#   fonts-wqy-zenhei  a CJK font: Chinese in the console's screenshots and in zh report PDFs
# nsd and unbound are only ever run by the tests and benchmarks themselves, on free high ports of
# 127.0.0.1: the system services the packages bring are kept from starting, and stopped and
# disabled if they did start, so nothing of theirs listens on port 53.
set -euo pipefail
PKGS=(bind9-utils bind9-dnsutils nsd knot-dnsutils dnsperf unbound poppler-utils chromium fonts-wqy-zenhei)
SERVICES=(nsd unbound unbound-resolvconf)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
# Installed means status "installed": `dpkg -s` alone also succeeds for a package that was removed
# but left its config files behind.
for p in "${PKGS[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
done

# Forbids invoke-rc.d / deb-systemd-invoke from starting any service while apt-get runs
# (exit 101 = "action forbidden", see /usr/share/doc/init-system-helpers/README.policy-rc.d),
# then puts back whatever policy-rc.d the machine had.
POLICY=/usr/sbin/policy-rc.d
policy_backup=""
restore_policy() {
  if [ -n "$policy_backup" ]; then $SUDO mv -f "$policy_backup" "$POLICY"; else $SUDO rm -f "$POLICY"; fi
}
stop_services() {
  for s in "${SERVICES[@]}"; do
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
      $SUDO systemctl disable --now "$s" >/dev/null 2>&1 || true
    else
      if [ -x "/etc/init.d/$s" ]; then
        $SUDO service "$s" stop >/dev/null 2>&1 || true
        $SUDO update-rc.d "$s" disable >/dev/null 2>&1 || true
      fi
      for pidfile in "/run/$s.pid" "/run/$s/$s.pid" "/var/run/$s.pid"; do
        if [ -s "$pidfile" ]; then $SUDO kill "$(cat "$pidfile")" >/dev/null 2>&1 || true; fi
      done
    fi
  done
}

if [ "${#missing[@]}" -gt 0 ]; then
  if [ -e "$POLICY" ]; then
    policy_backup="$($SUDO mktemp /usr/sbin/policy-rc.d.XXXXXX)"
    $SUDO cp -p "$POLICY" "$policy_backup"
  fi
  trap restore_policy EXIT
  printf '#!/bin/sh\n# written by minewarden scripts/install-test-deps.sh while it installs\nexit 101\n' \
    | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod 755 "$POLICY"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  restore_policy
  trap - EXIT
  stop_services
fi

# Nothing may serve DNS on port 53 here: the tests' servers take free high ports.
if command -v ss >/dev/null 2>&1 && ss -lnu 'sport = :53' 2>/dev/null | grep -q ':53 '; then
  echo "install-test-deps: warning: something listens on UDP port 53:" >&2
  ss -lnup 'sport = :53' >&2 || true
fi
npm install --no-fund --no-audit
