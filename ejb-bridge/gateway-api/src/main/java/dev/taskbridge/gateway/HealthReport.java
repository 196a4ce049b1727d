package dev.taskbridge.gateway;

import java.util.List;

/**
 * The engine's health as readiness checks show it.
 *
 * @param engine           {@code not started} (with why, when it is known), {@code running}, {@code suspended}
 *                         (with the server: no task starts a step until it resumes) or {@code stopping}
 * @param actorSystemAlive the actor system has not terminated
 * @param databaseProblem  why the task database cannot be used, or null when it answered
 * @param taskTypes        task types loaded
 * @param pluginProblems   plugins that were skipped, and why
 * @param typesWithoutLiveSlot task types none of whose slots is live (failed and not yet recovered)
 * @param pausedTypes      task types an operator paused: not a reason to be unready, but worth seeing
 * @param pausedSchedules  names of the schedules an operator paused, likewise
 * @param clusterMembers   the members of the cluster as this node sees them, counted by status (e.g. {@code 3 Up:
 *                         pekko://taskbridge@10.0.0.1:25520, ...}), or {@link #SINGLE_SERVER}
 * @param clusterProblem   why this node cannot take work in its cluster yet (it has not joined), or null
 * @param typesWithoutNode task types placed on a role no member Up has, as {@code type (role)}: their tasks
 *                         wait for such a node; the cluster's matter, not this node's, so not a reason to be unready
 */
public record HealthReport(String engine, boolean actorSystemAlive, String databaseProblem, int taskTypes,
                           List<String> pluginProblems, List<String> typesWithoutLiveSlot, List<String> pausedTypes,
                           List<String> pausedSchedules, String clusterMembers, String clusterProblem,
                           List<String> typesWithoutNode) {

    public static final String NOT_STARTED = "not started";
    public static final String RUNNING = "running";
    public static final String SUSPENDED = "suspended";
    public static final String STOPPING = "stopping";
    public static final String SINGLE_SERVER = "none: a single server";

    public HealthReport {
        pluginProblems = List.copyOf(pluginProblems);
        typesWithoutLiveSlot = List.copyOf(typesWithoutLiveSlot);
        pausedTypes = List.copyOf(pausedTypes);
        pausedSchedules = List.copyOf(pausedSchedules);
        typesWithoutNode = List.copyOf(typesWithoutNode);
    }

    /** @param why why the engine is not running (its start failed, the settings forbid it), or null when it is not known */
    public static HealthReport notStarted(String why) {
        return new HealthReport(why == null ? NOT_STARTED : NOT_STARTED + ": " + why, false, null, 0, List.of(), List.of(),
                List.of(), List.of(), SINGLE_SERVER, null, List.of());
    }

    /** Able to take and run tasks now. */
    public boolean ready() {
        return RUNNING.equals(engine) && actorSystemAlive && databaseProblem == null && taskTypes > 0
                && typesWithoutLiveSlot.isEmpty() && clusterProblem == null;
    }
}
