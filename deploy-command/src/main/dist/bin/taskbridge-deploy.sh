#!/usr/bin/env bash
# Deploys an EAR to a running Taskbridge server through its management API, after checking that
# the EAR's plugins can run every task the server has not finished (design note 041). A refused
# check deploys nothing and lists the tasks in the way.
#
#   bin/taskbridge-deploy.sh --wildfly-home /opt/taskbridge/server taskbridge.ear
#   bin/taskbridge-deploy.sh --check-only --url http://app1:8080/taskbridge --wildfly-home ... taskbridge.ear
#
# The check signs in to the REST API as an admin: TASKBRIDGE_DEPLOY_USER (default admin) and
# TASKBRIDGE_DEPLOY_PASSWORD. The deploy runs the server's own bin/jboss-cli.sh, signed in as the
# local user: run it on the server's machine, as the user the server runs as. --help lists every option.
set -euo pipefail
home="$(cd "$(dirname "$0")/.." && pwd)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$java" -cp "$home/lib/*" dev.taskbridge.deploy.DeployCommand "$@"
