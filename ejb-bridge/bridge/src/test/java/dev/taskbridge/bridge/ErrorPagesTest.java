package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.taskbridge.gateway.ErrorPage;
import dev.taskbridge.gateway.ErrorView;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.ItemError;
import dev.taskbridge.plugin.ResultErrors;
import org.junit.jupiter.api.Test;

class ErrorPagesTest {

    /** A task with this many errors, one per line, made as they are asked for and never kept. */
    private static ResultErrors<Void> errorsOnLines(long count) {
        return (task, each) -> {
            for (long line = 1; line <= count; line++) {
                each.accept(new ItemError(line, "debit", "x" + line, "must be a decimal number"));
            }
        };
    }

    private static final FinishedTask<Void> TASK = new FinishedTask<>("task-1", "{}", Instant.now(), () -> {
        throw new AssertionError("not read");
    });

    @Test
    void aPageIsTheErrorsFromItsOffsetAndSaysWhereTheNextBegins() throws Exception {
        ErrorPage page = ErrorPages.page(errorsOnLines(2_500), TASK, 1_000, 100);

        assertThat(page.total()).isEqualTo(2_500);
        assertThat(page.offset()).isEqualTo(1_000);
        assertThat(page.limit()).isEqualTo(100);
        assertThat(page.errors()).hasSize(100).first().isEqualTo(new ErrorView(1_001, "debit", "x1001", "must be a decimal number"));
        assertThat(page.errors().get(99).line()).isEqualTo(1_100);
        assertThat(page.nextOffset()).isEqualTo(1_100);
    }

    @Test
    void theLastPageHasWhatIsLeftAndNoNextOffset() throws Exception {
        ErrorPage last = ErrorPages.page(errorsOnLines(2_500), TASK, 2_400, 1_000);

        assertThat(last.errors()).hasSize(100);
        assertThat(last.errors().get(99).line()).isEqualTo(2_500);
        assertThat(last.nextOffset()).isNull();
    }

    @Test
    void anOffsetPastTheEndIsAnEmptyPageWithTheTotal() throws Exception {
        ErrorPage beyond = ErrorPages.page(errorsOnLines(10), TASK, 50, 100);

        assertThat(beyond.errors()).isEmpty();
        assertThat(beyond.total()).isEqualTo(10);
        assertThat(beyond.nextOffset()).isNull();
        assertThat(ErrorPages.page(errorsOnLines(0), TASK, 0, 100).errors()).isEmpty();
    }

    @Test
    void pagesInTurnGiveEveryErrorOnce() throws Exception {
        ResultErrors<Void> errors = errorsOnLines(1_234);
        long expected = 1;
        Long offset = 0L;
        while (offset != null) {
            ErrorPage page = ErrorPages.page(errors, TASK, offset, 500);
            for (ErrorView error : page.errors()) {
                assertThat(error.line()).isEqualTo(expected++);
            }
            offset = page.nextOffset();
        }
        assertThat(expected - 1).isEqualTo(1_234);
    }

    @Test
    void aPageOfAMillionErrorsKeepsOnlyItsOwn() throws Exception {
        // the walk hands out a million errors; the page keeps 10 of them
        long[] handedOut = {0};
        ResultErrors<Void> million = (task, each) -> {
            Consumer<ItemError> counting = error -> {
                handedOut[0]++;
                each.accept(error);
            };
            errorsOnLines(1_000_000).forEach(task, counting);
        };

        ErrorPage page = ErrorPages.page(million, TASK, 999_990, 1_000);

        assertThat(handedOut[0]).isEqualTo(1_000_000);
        assertThat(page.errors()).hasSize(10);
        assertThat(page.total()).isEqualTo(1_000_000);
    }

    /**
     * A task whose result lists its first {@code listed} of {@code count} errors, one per line; its
     * walk finds them again from the payload, as the ledger's does, and counts the payload reads.
     */
    private static ResultErrors<Void> listing(int listed, long count) {
        return new ResultErrors<>() {
            @Override
            public void forEach(FinishedTask<Void> task, Consumer<ItemError> each) throws Exception {
                task.payload();
                errorsOnLines(count).forEach(task, each);
            }

            @Override
            public Optional<Listed> listed(String result) {
                List<ItemError> first = new ArrayList<>();
                for (long line = 1; line <= listed; line++) {
                    first.add(new ItemError(line, "debit", "x" + line, "must be a decimal number"));
                }
                return Optional.of(new Listed(first, count));
            }
        };
    }

    private static FinishedTask<Void> counting(AtomicInteger reads) {
        return new FinishedTask<>("task-1", "{}", Instant.now(), () -> {
            reads.incrementAndGet();
            return null;
        });
    }

    @Test
    void aPageWithinTheListedErrorsNeverReadsThePayload() throws Exception {
        // the payload is a stored file of up to 20 MiB: the first page must not parse and check it again
        ResultErrors<Void> errors = listing(1_000, 50_000);

        ErrorPage first = ErrorPages.page(errors, TASK, 0, 100);
        ErrorPage lastListed = ErrorPages.page(errors, TASK, 900, 100);

        assertThat(first.total()).isEqualTo(50_000);
        assertThat(first.errors()).hasSize(100).first().isEqualTo(new ErrorView(1, "debit", "x1", "must be a decimal number"));
        assertThat(first.nextOffset()).isEqualTo(100);
        assertThat(lastListed.errors().get(99).line()).isEqualTo(1_000);
        assertThat(lastListed.nextOffset()).isEqualTo(1_000);
    }

    @Test
    void everyPageOfAResultThatListsAllItsErrorsIsFromTheResult() throws Exception {
        ResultErrors<Void> errors = listing(30, 30);

        ErrorPage page = ErrorPages.page(errors, TASK, 20, 1_000);
        ErrorPage beyond = ErrorPages.page(errors, TASK, 40, 1_000);

        assertThat(page.errors()).hasSize(10);
        assertThat(page.total()).isEqualTo(30);
        assertThat(page.nextOffset()).isNull();
        assertThat(beyond.errors()).isEmpty();
        assertThat(beyond.total()).isEqualTo(30);
    }

    @Test
    void aPageReachingPastTheListedErrorsFindsThemAgain() throws Exception {
        AtomicInteger reads = new AtomicInteger();

        ErrorPage page = ErrorPages.page(listing(1_000, 50_000), counting(reads), 950, 100);

        assertThat(reads).hasValue(1);
        assertThat(page.errors()).hasSize(100);
        assertThat(page.errors().get(99).line()).isEqualTo(1_050);
        assertThat(page.total()).isEqualTo(50_000);
    }
}
