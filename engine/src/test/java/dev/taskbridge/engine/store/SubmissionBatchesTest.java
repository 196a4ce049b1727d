package dev.taskbridge.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.taskbridge.plugin.Payload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Group commit, with a writer the test holds and releases batch by batch. */
class SubmissionBatchesTest {

    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        callers.shutdownNow();
    }

    /** A batch being written, which the test lets commit, or fail, when it says. */
    private record HeldBatch(List<SubmissionBatches.Pending> submissions, CompletableFuture<RuntimeException> outcome) {

        List<String> ids() {
            return submissions.stream().map(pending -> pending.task().id()).toList();
        }

        void commit() {
            outcome.complete(null);
        }
    }

    private final BlockingQueue<HeldBatch> batches = new LinkedBlockingQueue<>();
    private final SubmissionBatches group = new SubmissionBatches(batch -> {
        HeldBatch held = new HeldBatch(List.copyOf(batch), new CompletableFuture<>());
        batches.add(held);
        RuntimeException failure = held.outcome().join();
        if (failure != null) {
            throw failure;
        }
        batch.forEach(pending -> pending.stored(new Stored(null, true)));
    });

    private Future<Stored> submit(String id) {
        CountDownLatch queued = new CountDownLatch(1);
        Future<Stored> result = callers.submit(() -> {
            queued.countDown();
            return group.submit(new NewTask(id, "test.steps", 1, "clerk", null, Payload.json("{}")), OffsetDateTime.now());
        });
        try {
            queued.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return result;
    }

    private HeldBatch nextBatch() throws InterruptedException {
        HeldBatch batch = batches.poll(10, TimeUnit.SECONDS);
        assertThat(batch).as("a batch is written").isNotNull();
        return batch;
    }

    @Test
    void whileABatchIsWrittenTheSubmissionsThatComeMeanwhileWaitAndGoTogetherInTheNext() throws Exception {
        Future<Stored> first = submit("t1");
        HeldBatch one = nextBatch();
        assertThat(one.ids()).as("a lone submission is written at once").containsExactly("t1");

        List<Future<Stored>> later = new ArrayList<>();
        for (int i = 2; i <= 5; i++) {
            later.add(submit("t" + i));
        }
        assertThat(batches.poll(300, TimeUnit.MILLISECONDS)).as("no second batch while one is written").isNull();
        assertThat(later).noneMatch(Future::isDone);

        one.commit();
        assertThat(first.get(10, TimeUnit.SECONDS).created()).isTrue();
        HeldBatch two = nextBatch();
        assertThat(two.ids()).as("everything that waited, in one batch").containsExactlyInAnyOrder("t2", "t3", "t4", "t5");
        assertThat(later).as("their batch has not committed yet").noneMatch(Future::isDone);
        two.commit();
        for (Future<Stored> each : later) {
            assertThat(each.get(10, TimeUnit.SECONDS).created()).isTrue();
        }
    }

    @Test
    void aBatchThatFailsFailsEachOfItsCallersAndTheNextBatchIsWrittenAsUsual() throws Exception {
        Future<Stored> first = submit("t1");
        HeldBatch one = nextBatch();
        Future<Stored> second = submit("t2");
        assertThat(batches.poll(300, TimeUnit.MILLISECONDS)).isNull();

        one.outcome().complete(new IllegalStateException("the database is away"));

        assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("the database is away");
        HeldBatch two = nextBatch();
        assertThat(two.ids()).containsExactly("t2");
        two.commit();
        assertThat(second.get(10, TimeUnit.SECONDS).created()).isTrue();
    }
}
