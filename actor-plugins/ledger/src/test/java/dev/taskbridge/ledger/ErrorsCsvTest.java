package dev.taskbridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.ItemError;
import dev.taskbridge.plugin.ResultErrors;
import org.junit.jupiter.api.Test;

/** errors.csv walks the errors as few times as it can: each walk may check a whole stored file again. */
class ErrorsCsvTest {

    private static final List<ItemError> TWO = List.of(new ItemError(1, "debit", "1.005", "too many decimals"),
            new ItemError(2, "currency", "EURO", "not a currency"));

    private static ResultErrors<Void> walksCounted(AtomicInteger walks, long total) {
        return new ResultErrors<>() {
            @Override
            public void forEach(FinishedTask<Void> task, Consumer<ItemError> each) {
                walks.incrementAndGet();
                TWO.forEach(each);
            }

            @Override
            public Optional<Listed> listed(String result) {
                return Optional.of(new Listed(TWO, total));
            }
        };
    }

    private static String written(ErrorsCsv<Void> csv) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        csv.prepare(new FinishedTask<Void>("task-1", "{}", Instant.now(), () -> null)).writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aResultThatListsEveryErrorIsWrittenInOneWalk() throws Exception {
        AtomicInteger walks = new AtomicInteger();

        String csv = written(new ErrorsCsv<>(walksCounted(walks, 2)));

        assertThat(walks).hasValue(1);
        assertThat(csv.lines()).hasSize(3);
    }

    @Test
    void errorsPastTheListedOnesAreCheckedBeforeTheFirstByteAndWrittenInASecondWalk() throws Exception {
        AtomicInteger walks = new AtomicInteger();

        written(new ErrorsCsv<>(walksCounted(walks, 5)));

        assertThat(walks).hasValue(2);
    }
}
