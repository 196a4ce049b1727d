package dev.taskbridge.gateway;

import java.time.Instant;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A request to run a task.
 *
 * @param type           the task type id
 * @param owner          the authenticated user who submits it
 * @param idempotencyKey optional client key; the same owner and key never create a second task
 * @param mediaType      the payload's content type without parameters
 * @param body           the payload as sent
 * @param options        the submission's options (REST: its query parameters); the plugin checks them
 * @param runAt          when to run it ({@link RunAt}); null to run it at once
 * @param priority       higher starts first within its slot ({@link Priority}); {@value Priority#USUAL} is the usual
 * @param orderKey       the tasks of the type with this key run one after another, in the order they were
 *                       submitted ({@link OrderKey}); null for none
 */
public record Submission(String type, String owner, String idempotencyKey, String mediaType, byte[] body,
                         Map<String, String> options, Instant runAt, int priority, String orderKey) {

    /** Longest idempotency key accepted, so that it fits its column. */
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 200;

    public Submission {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(body, "body");
        options = Map.copyOf(options);
    }

    /** A submission without an order key. */
    public Submission(String type, String owner, String idempotencyKey, String mediaType, byte[] body,
                      Map<String, String> options, Instant runAt, int priority) {
        this(type, owner, idempotencyKey, mediaType, body, options, runAt, priority, null);
    }

    /** A submission of the usual priority. */
    public Submission(String type, String owner, String idempotencyKey, String mediaType, byte[] body,
                      Map<String, String> options, Instant runAt) {
        this(type, owner, idempotencyKey, mediaType, body, options, runAt, Priority.USUAL);
    }

    /** A submission to run at once. */
    public Submission(String type, String owner, String idempotencyKey, String mediaType, byte[] body,
                      Map<String, String> options) {
        this(type, owner, idempotencyKey, mediaType, body, options, null);
    }

    /** A submission without options. */
    public Submission(String type, String owner, String idempotencyKey, String mediaType, byte[] body) {
        this(type, owner, idempotencyKey, mediaType, body, Map.of());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Submission that
                && type.equals(that.type) && owner.equals(that.owner)
                && Objects.equals(idempotencyKey, that.idempotencyKey)
                && mediaType.equals(that.mediaType) && Arrays.equals(body, that.body)
                && options.equals(that.options) && Objects.equals(runAt, that.runAt) && priority == that.priority
                && Objects.equals(orderKey, that.orderKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, owner, idempotencyKey, mediaType, options, runAt, priority, orderKey) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "Submission[" + type + " by " + owner + ", key " + idempotencyKey + ", " + body.length + " bytes"
                + (options.isEmpty() ? "" : ", options " + new TreeMap<>(options))
                + (runAt == null ? "" : ", to run at " + runAt)
                + (priority == Priority.USUAL ? "" : ", priority " + priority)
                + (orderKey == null ? "" : ", order key " + orderKey) + "]";
    }
}
