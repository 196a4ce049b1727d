#!/usr/bin/env bash
# Makes sure what the tests need beyond the JDK is on this machine, installing it if absent:
#   * Chromium and its chromedriver, from Debian's packages (chromium, chromium-driver): the
#     browser tests drive them headless; Selenium is pointed at both, never downloads a driver;
#   * promtool, Prometheus's checker, from Debian's prometheus package: a test checks Taskbridge's
#     metrics with it. The package also brings a Prometheus server, which is not left running;
#   * PostgreSQL on 127.0.0.1:5432 with the role and databases the tests use (.ci/postgres.sh).
# Idempotent: run it as often as you like. Needs root (as in CI) or sudo to install packages.
#
#     .ci/prepare.sh && ./mvnw -B verify
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null 2>&1 || { echo "prepare.sh: no apt-get to install ${missing[*]}; install them and run again" >&2; exit 1; }
    echo "prepare.sh: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "prepare.sh: $(chromium --version 2>/dev/null | head -n 1); $(chromedriver --version 2>/dev/null | head -n 1)"

if ! command -v promtool >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || { echo "prepare.sh: no apt-get to install prometheus (promtool); install it and run again" >&2; exit 1; }
    echo "prepare.sh: installing prometheus (for promtool)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    # only the checker is wanted: the server the package starts on a systemd machine is stopped and disabled
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
    fi
fi
echo "prepare.sh: $(promtool --version 2>&1 | head -n 1)"

.ci/postgres.sh
