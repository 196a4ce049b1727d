#!/usr/bin/env bash
# After a failed build: what the servers of the integration tests said, short enough to read in
# the tail of a CI log (the only part of a CI run anyone gets back; the servers' files are gone).
#   * each test that failed, from the failsafe and surefire summaries;
#   * WildFly's thread dump, where it logged one (it does when a deployment times out waiting for
#     the service container, WFLYCTL0348): only the threads in Taskbridge's code or in an EJB
#     start, whose stacks say what the deployment waited for;
#   * the last ERROR lines of each server's log, but for the failures of tasks (the tests make many).
# Prints and never fails: it explains a failure, it is not one.
cd "$(dirname "$0")/.." || exit 0

echo "==== explain-failure: what the test servers said ===="
mapfile -t logs < <(find integration-tests/target -path '*/log/server.log' 2>/dev/null | sort)
for log in "${logs[@]}"; do
    [ -s "$log" ] || continue
    if grep -q 'WFLYCTL0496\|WFLYCTL034[4789]' "$log"; then
        echo "---- $log: container stability timeout"
        grep -h 'WFLYCTL034[4789]' "$log" | cut -c1-300 | tail -n 3
        # a dump is a run of thread blocks separated by blank lines; keep the telling ones, 30 lines each, 150 in all
        awk '
            /WFLYCTL0496/ { dump = 1; next }
            dump && /End Thread dump/ { dump = 0; flush(); next }
            dump && /^[[:space:]]*$/ { flush(); next }
            dump { block[n++] = $0 }
            function flush(   i, keep) {
                keep = 0
                for (i = 0; i < n; i++) if (block[i] ~ /dev\.taskbridge|StartupCountdown|StartupAwait|org\.jboss\.as\.ejb3\.component\.singleton/) keep = 1
                if (keep) for (i = 0; i < n && i < 30; i++) print block[i]
                if (keep) print ""
                n = 0
            }
        ' "$log" | head -n 150
    fi
    # a task's own failure is logged at ERROR too, and the tests make many on purpose
    errors=$(grep ' ERROR ' "$log" | grep -v -c 'slot\.SlotRunner' || true)
    if [ "${errors:-0}" -gt 0 ]; then
        echo "---- $log: last ERROR lines of $errors, tasks' own failures left out"
        grep ' ERROR ' "$log" | grep -v 'slot\.SlotRunner' | cut -c1-300 | tail -n 6
    fi
done
echo "---- failed tests"
grep -h -E '<<< (FAILURE|ERROR)!' */target/*-reports/*.txt */*/target/*-reports/*.txt 2>/dev/null | cut -c1-200 | head -n 20
echo "==== explain-failure: end ===="
exit 0
