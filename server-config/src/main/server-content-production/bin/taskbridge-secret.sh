#!/bin/bash
# Stores one of the production server's secrets encrypted in its standalone.xml
# (configure-production.cli explains how). The secret is read from standard input, or asked for
# without echo on a terminal: it never appears in a command line, a file or the process list.
#
#     bin/taskbridge-secret.sh pg-password     the PostgreSQL datasource's password
#     bin/taskbridge-secret.sh tls-password    the password of standalone/configuration/taskbridge-tls.p12
#                                              (key store and key); the build sets a random one
#
# Run it while the server is stopped: it edits standalone.xml through an embedded server, and a
# running server would write its own copy back. Options after the name go to jboss-cli.sh, e.g.
# -Djboss.server.base.dir=... for a server with its own base directory.
set -euo pipefail

name="${1:-}"
shift || true
case "$name" in
    pg-password) ;;
    tls-password) ;;
    *) echo "usage: $0 pg-password|tls-password [jboss-cli options]" >&2; exit 2 ;;
esac

home="$(cd "$(dirname "$0")/.." && pwd)"
cli="$home/bin/jboss-cli.sh"

if [ -t 0 ]; then
    read -r -s -p "$name: " secret; echo >&2
    read -r -s -p "$name again: " again; echo >&2
    [ "$secret" = "$again" ] || { echo "The two entries differ; nothing stored." >&2; exit 1; }
else
    IFS= read -r secret || true
fi
[ -n "$secret" ] || { echo "No $name given; nothing stored." >&2; exit 1; }

# The CLI reads the secret from a file only this user can read, deleted on exit. Inside the CLI's
# double quotes, backslash and double quote are escaped; and the server resolves the decrypted text
# once more as an expression (a "${user.home}" in a password would become a directory), so every
# "$" is written "$$", which that pass turns back into one "$".
umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
quoted="${secret//\\/\\\\}"
quoted="${quoted//\"/\\\"}"
quoted="${quoted//\$/\$\$}"
cat > "$work/encrypt.cli" <<CLI
embed-server --server-config=standalone.xml --std-out=discard
/subsystem=elytron/expression=encryption:create-expression(resolver=taskbridge, clear-text="$quoted")
stop-embedded-server
CLI
output="$("$cli" --file="$work/encrypt.cli" "$@" 2>&1)" || { echo "$output" >&2; exit 1; }
expression="$(grep -o '\${ENC::taskbridge:[A-Za-z0-9+/=]*}' <<<"$output" | head -n 1)"
[ -n "$expression" ] || { echo "jboss-cli.sh gave no encrypted expression:" >&2; echo "$output" >&2; exit 1; }

case "$name" in
    pg-password)
        writes="/subsystem=datasources/data-source=TaskbridgePostgresDS:write-attribute(name=password, value=\"$expression\")"
        ;;
    tls-password)
        writes="/subsystem=elytron/key-store=applicationKS:write-attribute(name=credential-reference, value={clear-text=\"$expression\"})
/subsystem=elytron/key-manager=applicationKM:write-attribute(name=credential-reference, value={clear-text=\"$expression\"})"
        ;;
esac
cat > "$work/store.cli" <<CLI
embed-server --server-config=standalone.xml --std-out=discard
batch
$writes
run-batch
stop-embedded-server
CLI
output="$("$cli" --file="$work/store.cli" "$@" 2>&1)" || { echo "$output" >&2; exit 1; }
echo "$name stored in standalone.xml, encrypted."
