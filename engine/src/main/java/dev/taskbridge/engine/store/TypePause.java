package dev.taskbridge.engine.store;

import java.time.Instant;

/** A task type an operator paused: its queued tasks wait, and none of its chunks starts, until resumed. */
public record TypePause(String taskType, String by, Instant at) {
}
