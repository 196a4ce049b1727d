#!/bin/bash
# Makes the keys a cluster's nodes speak TLS with (design note 037): an authority of the cluster's
# own, a trust store holding its certificate, and for each node named a key store holding the
# node's own key, which the authority signed. Nodes prove themselves to each other with these
# (mutual TLS), so a node whose key the authority did not sign cannot join. Run it again with new
# names to add nodes: what exists is kept. Nothing here is ever committed.
#
#     server-config/src/main/bin/cluster-keys.sh DIR NODE...
#
# DIR/password (readable by its owner only) is the stores' password, made at random once: give it
# to each node as TASKBRIDGE_CLUSTER_TLS_KEY_STORE_PASSWORD and TASKBRIDGE_CLUSTER_TLS_TRUST_STORE_PASSWORD,
# with -Dtaskbridge.cluster.tls.key-store=DIR/NODE.p12 -Dtaskbridge.cluster.tls.trust-store=DIR/truststore.p12.
# DIR/authority.p12 holds the authority's key, which no node needs: copy each node only its own
# store, the trust store and the password, and keep DIR (with the authority) where keys are made,
# since adding a node later needs it. keytool reads the password from DIR/password, never from its
# command line.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: cluster-keys.sh DIR NODE..." >&2; exit 2; }
dir="$1"
shift
keytool="${JAVA_HOME:+$JAVA_HOME/bin/}keytool"
umask 077
mkdir -p "$dir"
[ -s "$dir/password" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$dir/password"

# keytool with the stores' password, read from its file (not shown by ps); its chatter goes to a
# log that a failure points at
k() {
    "$keytool" "$@" -storepass:file "$dir/password" >> "$dir/keytool.log" 2>&1 \
        || { echo "cluster-keys.sh: keytool $1 failed; see $dir/keytool.log" >&2; exit 1; }
}

rm -f "$dir"/*.part # what a run that failed half-way left
if [ ! -f "$dir/truststore.p12" ]; then
    # a new authority would leave every existing node's key signed by the old one: refuse, say what to do
    for existing in "$dir"/*.p12; do
        [ -e "$existing" ] || continue
        echo "cluster-keys.sh: $dir holds $existing but no truststore.p12; move the directory away to start a new authority" >&2
        exit 1
    done
    rm -f "$dir/authority.crt"
    k -genkeypair -alias authority -keyalg EC -groupname secp256r1 -validity 3650 \
        -dname "CN=Taskbridge cluster authority" -ext bc:c -keystore "$dir/authority.p12" -storetype PKCS12
    k -exportcert -rfc -alias authority -keystore "$dir/authority.p12" -file "$dir/authority.crt"
    k -importcert -noprompt -alias authority -file "$dir/authority.crt" -keystore "$dir/truststore.p12.part" -storetype PKCS12
    mv "$dir/truststore.p12.part" "$dir/truststore.p12"
fi

for node in "$@"; do
    [[ "$node" =~ ^[A-Za-z0-9._-]+$ ]] \
        || { echo "cluster-keys.sh: a node's name is letters, digits, '.', '_' and '-', not '$node'" >&2; exit 2; }
    store="$dir/$node.p12"
    if [ -f "$store" ]; then
        echo "$store (kept)"
        continue
    fi
    rm -f "$store.part"
    k -genkeypair -alias node -keyalg EC -groupname secp256r1 -validity 825 -dname "CN=$node" \
        -keystore "$store.part" -storetype PKCS12
    k -certreq -alias node -keystore "$store.part" -file "$dir/$node.csr"
    k -gencert -alias authority -keystore "$dir/authority.p12" -rfc -validity 825 \
        -infile "$dir/$node.csr" -outfile "$dir/$node.crt" -ext ku:c=digitalSignature -ext eku=serverAuth,clientAuth
    k -importcert -noprompt -alias authority -file "$dir/authority.crt" -keystore "$store.part"
    k -importcert -alias node -file "$dir/$node.crt" -keystore "$store.part"
    rm -f "$dir/$node.csr"
    mv "$store.part" "$store"
    echo "$store"
done
