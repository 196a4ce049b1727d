#!/usr/bin/env bash
# Makes sure what the tests need beyond the JDK is on this machine, installing it if absent:
#   * Chromium and its chromedriver, from Debian's packages (chromium, chromium-driver): the
#     browser tests drive them headless; Selenium is pointed at both, never downloads a driver;
#   * promtool, Prometheus's checker, from Debian's prometheus package: a test checks Taskbridge's
#     metrics with it. The package also brings a Prometheus server, which is not left running;
#   * Node.js 20.19 or later with npx: a test lints the served OpenAPI document with the Redocly CLI
#     from the npm registry (npx fetches the version the test names). Debian 12's own nodejs (18) is
#     too old for it (Debian 13's is not): where Node.js is absent it is installed from the system's
#     packages if they are new enough, else the script says what to install (nodejs.org or NodeSource);
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

if ! command -v npx >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || { echo "prepare.sh: no apt-get to install Node.js; install Node.js 20.19 or later" >&2; exit 1; }
    as_root apt-get update -qq
    candidate=$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ] || ! dpkg --compare-versions "$candidate" ge 20.19; then
        echo "prepare.sh: this system's nodejs package (${candidate:-none}) is older than the Redocly CLI needs:" \
             "install Node.js 20.19 or later (nodejs.org or NodeSource) and run again" >&2
        exit 1
    fi
    echo "prepare.sh: installing nodejs $candidate and npm"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
    || { echo "prepare.sh: Node.js $(node --version) is too old for the Redocly CLI: install 20.19 or later" >&2; exit 1; }
echo "prepare.sh: Node.js $(node --version), npm $(npm --version)"

.ci/postgres.sh
