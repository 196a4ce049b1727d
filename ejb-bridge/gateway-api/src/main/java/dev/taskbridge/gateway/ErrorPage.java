package dev.taskbridge.gateway;

import java.util.List;

/**
 * Some of a finished task's errors, in the order its result lists them.
 *
 * @param total      every error the task found
 * @param offset     how many errors come before this page's first
 * @param limit      the most errors a page was asked to hold
 * @param nextOffset the offset of the next page; null when this page holds the last error
 * @param errors     the page's errors, at most {@code limit}
 */
public record ErrorPage(long total, long offset, int limit, Long nextOffset, List<ErrorView> errors) {

    /** Errors a page holds when the caller does not say. */
    public static final int DEFAULT_LIMIT = 100;

    /** The most errors one page may hold. */
    public static final int MAX_LIMIT = 1_000;

    public ErrorPage {
        errors = List.copyOf(errors);
    }
}
