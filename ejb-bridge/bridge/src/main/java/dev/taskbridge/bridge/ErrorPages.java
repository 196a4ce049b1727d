package dev.taskbridge.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.taskbridge.gateway.ErrorPage;
import dev.taskbridge.gateway.ErrorView;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.ResultErrors;

/**
 * One page of a finished task's errors, taken from the plugin's walk over all of them: the errors
 * before the page are counted and dropped, those of the page kept, those after it counted. However
 * many errors a file has, a page holds at most {@code limit} of them in memory.
 *
 * <p>A page that the result's listed errors hold whole (the first pages, or any page when the
 * result lists every error) is taken from the result alone: walking would parse the stored file
 * (up to 20 MiB) and check every line of it again to the end, for errors the result already has.
 */
final class ErrorPages {

    private ErrorPages() {
    }

    /**
     * The page from {@code offset}, at most {@code limit} errors: in range, as
     * {@link dev.taskbridge.gateway.TaskGateway#errors} takes them, since the REST resource that
     * reads them from a request answers a bad one with its 400 before anything asks for a page.
     */
    static <P> ErrorPage page(ResultErrors<P> errors, FinishedTask<P> task, long offset, int limit) throws Exception {
        Optional<ResultErrors.Listed> listed = errors.listed(task.result());
        if (listed.isPresent() && holds(listed.get(), offset, limit)) {
            return fromListed(listed.get(), offset, limit);
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

    /** Whether the listed errors hold the whole page: it ends within them, or they are all there are. */
    static boolean holds(ResultErrors.Listed listed, long offset, int limit) {
        return listed.complete() || offset <= listed.errors().size() - (long) limit;
    }

    private static ErrorPage fromListed(ResultErrors.Listed listed, long offset, int limit) {
        List<ErrorView> page = new ArrayList<>(Math.min(limit, ErrorPage.DEFAULT_LIMIT));
        for (long at = offset; at < listed.errors().size() && page.size() < limit; at++) {
            var error = listed.errors().get((int) at);
            page.add(new ErrorView(error.line(), error.field(), error.value(), error.reason()));
        }
        long next = offset + page.size();
        return new ErrorPage(listed.total(), offset, limit, next < listed.total() ? next : null, page);
    }
}
