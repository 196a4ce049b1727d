package dev.taskbridge.gateway;

import java.time.Instant;

/**
 * A task as a list shows it: no result and no stack trace, which can weigh megabytes each; the
 * single task ({@link TaskGateway#find}) has them.
 *
 * @param error   the failure's message and log reference (its stack trace is null), else null
 * @param stalled running, but without progress for longer than the engine's stalled-after setting
 * @param runAt   when it was to run, if it was submitted to run later; else null
 * @param priority higher starts first within its slot ({@link Priority})
 * @param orderKey the key whose tasks of this type run one after another ({@link OrderKey}), or null
 */
public record TaskSummaryView(
        String id,
        String type,
        int typeVersion,
        String owner,
        TaskStatus status,
        Progress progress,
        int attempts,
        Instant submittedAt,
        Instant startedAt,
        Instant endedAt,
        TaskError error,
        boolean stalled,
        Instant runAt,
        int priority,
        String orderKey) {
}
