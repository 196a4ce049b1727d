package dev.taskbridge.engine;

import java.util.List;

/**
 * The engine's view of its own health, for the host's liveness and readiness checks.
 *
 * @param running          started and not stopping
 * @param suspended        suspended with its host: no step of a task starts until it resumes
 * @param actorSystemAlive the actor system has not terminated
 * @param databaseProblem  why the task database cannot be used, or null when it answered
 * @param taskTypes        task types loaded
 * @param pluginProblems   plugins that were skipped, or whose form was refused, and why
 * @param typesWithoutLiveSlot task types none of whose slots is live: their tasks cannot run now
 * @param clustered        a node of a cluster, not a single server
 * @param clusterMembers   the cluster's members as this node sees them; none for a single server
 * @param clusterProblem   why this node of a cluster cannot take work yet (it is not Up in the cluster), or null
 */
public record EngineHealth(boolean running, boolean suspended, boolean actorSystemAlive, String databaseProblem, int taskTypes,
                           List<String> pluginProblems, List<String> typesWithoutLiveSlot, boolean clustered,
                           List<ClusterMember> clusterMembers, String clusterProblem) {

    public EngineHealth {
        pluginProblems = List.copyOf(pluginProblems);
        typesWithoutLiveSlot = List.copyOf(typesWithoutLiveSlot);
        clusterMembers = List.copyOf(clusterMembers);
    }

    /** The health of a single server. */
    public EngineHealth(boolean running, boolean suspended, boolean actorSystemAlive, String databaseProblem, int taskTypes,
                        List<String> pluginProblems, List<String> typesWithoutLiveSlot) {
        this(running, suspended, actorSystemAlive, databaseProblem, taskTypes, pluginProblems, typesWithoutLiveSlot, false,
                List.of(), null);
    }

    /** Able to take and run tasks now. */
    public boolean ready() {
        return running && !suspended && actorSystemAlive && databaseProblem == null && taskTypes > 0 && typesWithoutLiveSlot.isEmpty()
                && clusterProblem == null;
    }
}
