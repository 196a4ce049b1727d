package dev.taskbridge.gateway;

import java.util.List;

/**
 * How many tasks of a type, submitted under one version of it, are not final yet (scheduled,
 * queued or running): what the next deploy of that type's plugin must be able to run (design note
 * 041), and what the deploy command checks before it deploys.
 *
 * @param taskType the type's id
 * @param version  the version of the type the tasks were submitted under
 * @param tasks    how many of them are not final
 * @param firstIds up to five of their ids, oldest first, for the operator to look up
 */
public record UnfinishedTasks(String taskType, int version, long tasks, List<String> firstIds) {

    /** How many ids {@link #firstIds} holds at most: enough to look some up, few enough to read. */
    public static final int FIRST_IDS = 5;

    public UnfinishedTasks {
        firstIds = List.copyOf(firstIds);
    }
}
