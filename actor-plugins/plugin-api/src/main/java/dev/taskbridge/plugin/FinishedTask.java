package dev.taskbridge.plugin;

import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A task that ended with a result, as {@link ResultErrors} and {@link ResultExport} read it: its
 * id, its result document, when it ended, and its payload, parsed again by its type only if asked
 * for (a large file costs a parse; many answers need the result alone).
 *
 * @param <P> the task type's parsed payload
 */
public final class FinishedTask<P> {

    private final String id;
    private final String result;
    private final Instant endedAt;
    private final Supplier<P> payload;
    private P parsed;

    /**
     * @param payload parses the stored payload; called at most once, on first use of {@link #payload()}
     */
    public FinishedTask(String id, String result, Instant endedAt, Supplier<P> payload) {
        this.id = Objects.requireNonNull(id, "id");
        this.result = Objects.requireNonNull(result, "result");
        this.endedAt = endedAt;
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    /** The task's id. */
    public String id() {
        return id;
    }

    /** The result document, as {@link TaskHandler#result} made it. */
    public String result() {
        return result;
    }

    /** When the task ended; {@code null} if the store does not know. */
    public Instant endedAt() {
        return endedAt;
    }

    /** The payload the task ran with, parsed as {@link TaskType#parse} parses it. */
    public P payload() {
        if (parsed == null) {
            parsed = payload.get();
        }
        return parsed;
    }
}
