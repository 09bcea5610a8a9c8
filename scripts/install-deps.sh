#!/usr/bin/env bash
# Installs what skytune needs from Debian 12's packages.
#   scripts/install-deps.sh          build dependencies (enough for `skytune profile` and `apply --dry-run`)
#   scripts/install-deps.sh --test   plus everything the test suite starts or calls
#   scripts/install-deps.sh --bench  plus the load tools the bench programs compare with (no test needs them)
set -euo pipefail

build=(build-essential cmake pkg-config libsystemd-dev libcap-dev libcurl4-openssl-dev libjansson-dev libconfig-dev
       zlib1g-dev libpq-dev libsqlite3-dev libmicrohttpd-dev)
# prometheus brings promtool, which checks the profile's textfile and the monitor's /metrics.
test=(libcmocka-dev dbus polkitd systemd procps util-linux iproute2 jq curl nginx wrk
      debhelper lintian rpm rpmlint prometheus ansible-core man-db groff-base python3 bash-completion zsh
      openssl systemd-container debootstrap sqlite3)
# skytune db's tests start their own PostgreSQL (initdb, pg_ctl); pgbench and pg_stat_statements
# come with postgresql / postgresql-contrib.
test+=(postgresql postgresql-contrib)
# tests/fuzz: clang and its runtime libraries (libFuzzer, sanitizers: only recommended by clang).
test+=(clang libclang-rt-14-dev)
# The load reports: HdrHistogram's Java library reads and writes the interval logs (javac compiles the
# reader), xmllint checks the JUnit XML, headless Chromium renders the HTML report.
test+=(libhdrhistogram-java default-jdk-headless libxml2-utils chromium-headless-shell nodejs)
# The dashboard's browser test compares its screenshots with tests/tools/png-diff (libpng).
test+=(libpng-dev)
# The monitor's notifications go to a real Alertmanager (started by the test on a loopback port).
test+=(prometheus-alertmanager)

# bench/bench-locust runs Locust (one process, FastHttpUser: python3-geventhttpclient comes with it)
# beside skytune load; bench-load runs hey when it is installed; bench-monitor runs
# skytune-monitor beside node_exporter and sadc, and stress-ng for --stress.
bench=(python3-locust hey prometheus-node-exporter sysstat stress-ng)

pkgs=("${build[@]}")
case "${1:-}" in
--test) pkgs+=("${test[@]}") ;;
--bench) pkgs+=("${test[@]}" "${bench[@]}") ;;
"") ;;
*) echo "install-deps: unknown option '$1': use --test or --bench (or nothing, for the build)" >&2; exit 2 ;;
esac

if [[ $(id -u) -ne 0 ]]; then
        echo "install-deps: run as root (or with sudo): it calls apt-get install" >&2
        exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${pkgs[@]}"
