package dev.taskbridge.gateway;

import java.time.Instant;

/**
 * A task type's pause: its queued tasks wait, and none of its chunks starts, until someone resumes it.
 *
 * @param by who paused it
 * @param at since when
 */
public record TypePauseView(String by, Instant at) {
}
