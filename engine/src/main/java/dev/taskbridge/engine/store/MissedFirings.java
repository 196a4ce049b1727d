package dev.taskbridge.engine.store;

/**
 * What a schedule does with firings that fell due while no engine ran to make them (the server
 * was down, or being redeployed): found at the next start, they are older than that start.
 */
public enum MissedFirings {
    /** The latest of them makes one task; the others are recorded as skipped. */
    RUN_ONCE,
    /** Each makes its task, in order. */
    RUN_ALL,
    /** None makes a task; each is recorded as skipped. */
    SKIP
}
