package dev.taskbridge.bridge;

import java.util.ArrayList;
import java.util.List;

import dev.taskbridge.gateway.ErrorPage;
import dev.taskbridge.gateway.ErrorView;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.ResultErrors;

/**
 * One page of a finished task's errors, taken from the plugin's walk over all of them: the errors
 * before the page are counted and dropped, those of the page kept, those after it counted. However
 * many errors a file has, a page holds at most {@code limit} of them in memory.
 */
final class ErrorPages {

    private ErrorPages() {
    }

    static <P> ErrorPage page(ResultErrors<P> errors, FinishedTask<P> task, long offset, int limit) throws Exception {
        if (offset < 0 || limit < 1) {
            throw new IllegalArgumentException("offset " + offset + " and limit " + limit + ": need offset >= 0, limit >= 1");
        }
        List<ErrorView> page = new ArrayList<>(Math.min(limit, ErrorPage.DEFAULT_LIMIT));
        long[] seen = {0};
        errors.forEach(task, error -> {
            long at = seen[0]++;
            if (at >= offset && page.size() < limit) {
                page.add(new ErrorView(error.line(), error.field(), error.value(), error.reason()));
            }
        });
        long total = seen[0];
        long next = offset + page.size();
        return new ErrorPage(total, offset, limit, next < total ? next : null, page);
    }
}
