#!/bin/bash
# Makes the production server from the demo one the build provisioned (see configure-production.cli):
#     make-production-server.sh <demo server> <production server> <cli.properties>
# A fresh copy every time, as the demo server is provisioned afresh every time.
set -euo pipefail

demo="$1"
production="$2"
properties="$3"
module="$(cd "$(dirname "$0")/../../.." && pwd)"

rm -rf "$production"
mkdir -p "$production"
# cp -a keeps the scripts executable; what the demo server ran or wrote stays behind.
cp -a "$demo/." "$production/"
rm -rf "$production/standalone/data" "$production/standalone/log" "$production/standalone/tmp" \
    "$production/standalone/configuration/standalone_xml_history"
# No demo users: the production server's user files say how to add users, and hold none.
cp -a "$module/src/main/server-content-production/." "$production/"

"$production/bin/jboss-cli.sh" --properties="$properties" --resolve-parameter-values \
    --file=<(echo "embed-server --server-config=standalone.xml --std-out=discard";
             cat "$module/src/main/cli/configure-production.cli" "$module/src/main/cli/configure-web.cli";
             echo "stop-embedded-server")

# A random password for the key store the server makes itself; an operator who brings a key store
# of their own sets its password with the same command.
head -c 24 /dev/urandom | base64 | "$production/bin/taskbridge-secret.sh" tls-password
chmod 600 "$production/standalone/configuration/taskbridge-secrets.cs"
rm -rf "$production/standalone/configuration/standalone_xml_history"
