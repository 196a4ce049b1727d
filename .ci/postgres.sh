#!/usr/bin/env bash
# Makes sure a PostgreSQL server runs on 127.0.0.1:5432 (or $TASKBRIDGE_PG_PORT) with what Taskbridge uses:
#   role      taskbridge, password taskbridge, LOGIN
#   databases taskbridge (the server's, through TaskbridgePostgresDS) and taskbridge_test (tests),
#             both owned by taskbridge
# Installs Debian's postgresql package and starts its cluster when no server answers there.
# Idempotent: run it as often as you like. It creates what is missing and sets the role's password
# and LOGIN and the databases' owner; it never drops or empties anything, nor touches other
# databases or roles.
#
# Needs root (as in CI: no TTY needed) or sudo, to install and start PostgreSQL and to act as the
# database superuser through the postgres OS account. Where that account does not exist (a server
# that is not Debian's), it connects as the database user postgres over TCP (set PGPASSWORD
# if that needs a password).
#
#     .ci/postgres.sh
#     TASKBRIDGE_PG_PORT=5433 .ci/postgres.sh     # another port (the server then needs
#                                                 # -Dtaskbridge.pg.port=5433)
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=${TASKBRIDGE_PG_PORT:-5432}
ROLE=taskbridge
PASSWORD=taskbridge
DATABASES=(taskbridge taskbridge_test)

say() { echo "postgres.sh: $*"; }
die() { echo "postgres.sh: $*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Runs a command as the OS user postgres (from /, which that user can read).
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && sudo -u postgres -- "$@")
    fi
}

server_ready() {
    command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3
}

# --- 1. a server on 127.0.0.1:5432 -------------------------------------------------------------
if server_ready; then
    say "a server answers on $PG_HOST:$PG_PORT"
else
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || ! command -v pg_lsclusters >/dev/null 2>&1; then
        command -v apt-get >/dev/null 2>&1 || die "no PostgreSQL server here, and no apt-get to install one; start one on $PG_HOST:$PG_PORT"
        say "installing Debian's postgresql"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    # Start the cluster on our port; create one if the package made none (create_main_cluster=false).
    cluster=$(pg_lsclusters -h | awk -v port="$PG_PORT" '$3 == port { print $1 " " $2; exit }')
    if [ -z "$cluster" ]; then
        version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
        name=main
        [ -d "/etc/postgresql/$version/main" ] && name=taskbridge
        say "creating cluster $version/$name on port $PG_PORT"
        as_root pg_createcluster -p "$PG_PORT" "$version" "$name" >/dev/null
        cluster="$version $name"
    fi
    say "starting cluster ${cluster/ //}"
    # --skip-systemctl-redirect: start it directly, also where systemd does not run (containers, CI).
    # A cluster that is already up makes pg_ctlcluster complain; the readiness check below decides.
    # shellcheck disable=SC2086
    as_root pg_ctlcluster --skip-systemctl-redirect $cluster start || true
    for _ in $(seq 1 60); do
        server_ready && break
        sleep 1
    done
    server_ready || die "PostgreSQL did not come up on $PG_HOST:$PG_PORT (see /var/log/postgresql/)"
    say "a server answers on $PG_HOST:$PG_PORT"
fi

# --- 2. role and databases -----------------------------------------------------------------------
# psql as the database superuser: through the local socket as the OS user postgres (peer
# authentication, Debian's default), else over TCP as the database user postgres.
admin_psql() {
    if id postgres >/dev/null 2>&1; then
        as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@"
    else
        psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres "$@"
    fi
}

# \gexec runs each generated statement on its own (CREATE DATABASE cannot run in a transaction).
admin_psql -v role="$ROLE" -v password="$PASSWORD" -v databases="${DATABASES[*]}" <<'SQL'
SELECT format('CREATE ROLE %I', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', d, :'role')
  FROM unnest(string_to_array(:'databases', ' ')) AS d
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = d) \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', d.datname, :'role')
  FROM pg_database d
 WHERE d.datname = ANY (string_to_array(:'databases', ' '))
   AND pg_get_userbyid(d.datdba) <> :'role' \gexec
SQL

# --- 3. check: the role logs in with its password over TCP, as the server and the tests will -----
for db in "${DATABASES[@]}"; do
    owner=$(PGPASSWORD="$PASSWORD" psql -X -At -h "$PG_HOST" -p "$PG_PORT" -U "$ROLE" -d "$db" \
        -c "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()") \
        || die "$ROLE cannot log in to $db on $PG_HOST:$PG_PORT"
    [ "$owner" = "$ROLE" ] || die "database $db is owned by $owner, not $ROLE"
    say "database $db on $PG_HOST:$PG_PORT, owner $ROLE: ok"
done
