package dev.taskbridge.gateway;

import java.util.Map;

/**
 * A submission's order key: {@value #ORDER_KEY}, any text of 1 to {@value #MAX_LENGTH} characters
 * that does not start or end with a space and holds no control characters or line breaks (the
 * engine's rules, {@code TaskEngine.whyNotOrderKey}, which the gateway applies), e.g. an account, a
 * customer or a document series; given empty, it is no key. The tasks of one
 * type with the same key run one after another, never two at once, in the order they were
 * submitted (within one priority); tasks without a key, or with different keys, keep no order
 * among themselves (design note 032). A name a submission's options never take: the API reads it
 * from the query parameters (or a form's fields) before the rest go to the task type, as it does
 * {@link Priority}'s and {@link RunAt}'s.
 */
public final class OrderKey {

    public static final String ORDER_KEY = "orderKey";
    /** The engine's longest key ({@code TaskEngine.MAX_ORDER_KEY_LENGTH}): its column's size. */
    public static final int MAX_LENGTH = 200;

    private OrderKey() {
    }

    /**
     * Takes {@value #ORDER_KEY} out of {@code options}. Whether it can be a key is the gateway's to
     * say, with the engine's rules (a 400 naming the field).
     *
     * @param options a submission's options as sent; the name is removed from it
     * @return the key asked for, or null for none
     */
    public static String take(Map<String, String> options) {
        return given(options.remove(ORDER_KEY));
    }

    /** A key as a form's field or a parameter holds it: null for none, not given or given empty. */
    public static String given(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
