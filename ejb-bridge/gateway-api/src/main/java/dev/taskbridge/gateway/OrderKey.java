package dev.taskbridge.gateway;

import java.util.Map;

/**
 * A submission's order key: {@value #ORDER_KEY}, any text of 1 to {@value #MAX_LENGTH} characters
 * that does not start or end with a space and holds no control characters or line breaks, e.g. an
 * account, a customer or a document series; given empty, it is no key. The tasks of one
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
     * Takes {@value #ORDER_KEY} out of {@code options}.
     *
     * @param options a submission's options as sent; the name is removed from it
     * @return the key asked for, or null for none (not given, or given empty)
     * @throws InvalidSubmissionException naming the field, for a key that cannot be one
     */
    public static String take(Map<String, String> options) {
        String given = options.remove(ORDER_KEY);
        return given == null || given.isEmpty() ? null : check(given);
    }

    /**
     * @return {@code orderKey}, if it is null or can be a key
     * @throws InvalidSubmissionException naming the field, if it cannot
     */
    public static String check(String orderKey) {
        if (orderKey == null) {
            return null;
        }
        if (orderKey.isEmpty() || orderKey.length() > MAX_LENGTH) {
            throw new InvalidSubmissionException(ORDER_KEY, "must be 1 to " + MAX_LENGTH + " characters");
        }
        if (isSpace(orderKey.charAt(0)) || isSpace(orderKey.charAt(orderKey.length() - 1))) {
            throw new InvalidSubmissionException(ORDER_KEY, "must not start or end with a space: keys that look "
                    + "alike would be different keys");
        }
        if (orderKey.chars().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                || Character.getType(c) == Character.PARAGRAPH_SEPARATOR)) {
            throw new InvalidSubmissionException(ORDER_KEY, "must not hold control characters or line breaks");
        }
        return orderKey;
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }
}
