package dev.taskbridge.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.taskbridge.gateway.Progress;
import dev.taskbridge.gateway.TaskEvent;
import dev.taskbridge.gateway.TaskEventKind;
import dev.taskbridge.gateway.TaskStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventStreamsTest {

    private static final Duration CLOSE_WAIT = Duration.ofMillis(500);

    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final FakeSse sse = new FakeSse();
    private final CountDownLatch clientsLetGo = new CountDownLatch(1);

    @AfterEach
    void stopThreads() {
        clientsLetGo.countDown();
        threads.shutdownNow();
    }

    private EventStreams streams(int maxPerUser, int queueSize, Duration stallAfter) {
        return new EventStreams(threads, new EventStreams.Settings(maxPerUser, queueSize, stallAfter, CLOSE_WAIT));
    }

    private EventStreams streams() {
        return streams(8, 16, Duration.ofMinutes(1));
    }

    private EventStreams.Stream following(EventStreams streams, String user, FakeSse.Sink sink) {
        EventStreams.Stream stream = streams.open(user, sink, sse, event -> true, false);
        stream.begin(sse.newEventBuilder().comment("following").build(), false);
        return stream;
    }

    private static TaskEvent anEvent(String taskId, TaskEventKind kind) {
        TaskStatus status = kind == TaskEventKind.SUCCEEDED ? TaskStatus.SUCCEEDED : TaskStatus.RUNNING;
        return new TaskEvent(taskId, "test.type", "clerk", kind, status, new Progress(0, 1, 0, 0), Instant.now(), null);
    }

    private static void eventually(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 5 s").isLessThan(until);
            Thread.sleep(10);
        }
    }

    @Test
    void stopDoesNotWaitLongForAClientThatDoesNotLetItsStreamClose() throws Exception {
        EventStreams streams = streams();
        FakeSse.Sink stuck = FakeSse.Sink.notReading(clientsLetGo);
        following(streams, "clerk", stuck);
        FakeSse.Sink reading = FakeSse.Sink.reading();
        following(streams, "clerk", reading);

        long started = System.nanoTime();
        streams.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(CLOSE_WAIT.plusSeconds(2));
        assertThat(stuck.closed.await(5, TimeUnit.SECONDS)).as("the stuck sink's close was at least begun").isTrue();
        assertThat(reading.isClosed()).isTrue();
        assertThat(streams.size()).isZero();
    }

    @Test
    void aClientThatDoesNotReadIsDroppedWhenItsQueueIsFullAndHoldsUpNoOther() throws Exception {
        EventStreams streams = streams(8, 4, Duration.ofMinutes(1));
        FakeSse.Sink stuck = FakeSse.Sink.notReading(clientsLetGo);
        following(streams, "clerk", stuck);
        FakeSse.Sink reading = FakeSse.Sink.reading();
        following(streams, "clerk", reading);

        for (int i = 0; i < 10; i++) {
            streams.publish(anEvent("t" + i, TaskEventKind.STARTED));
            int sent = i + 2;
            eventually(() -> reading.sent.size() == sent);
        }

        assertThat(stuck.closed.await(5, TimeUnit.SECONDS)).as("the client that does not read is dropped").isTrue();
        assertThat(stuck.sent).as("its first write never finished").hasSize(1);
        assertThat(reading.sent).extracting(FakeSse.Event::id).containsSubsequence("t0", "t1", "t2", "t8", "t9");
        assertThat(streams.size()).isOne();
    }

    @Test
    void eachStreamIsWrittenInOrderOneEventAtATime() throws Exception {
        EventStreams streams = streams(8, 1_000, Duration.ofMinutes(1));
        FakeSse.Sink reading = FakeSse.Sink.reading();
        following(streams, "clerk", reading);
        for (int i = 0; i < 500; i++) {
            streams.publish(anEvent(String.format("t%03d", i), TaskEventKind.CHUNK_COMMITTED));
        }
        eventually(() -> reading.sent.size() == 501);
        assertThat(reading.sent.subList(1, 501)).extracting(FakeSse.Event::id).isSorted();
    }

    @Test
    void aUserHoldsAtMostTheLimitOfStreamsAndMayOpenAnotherOnceOneEnded() throws Exception {
        EventStreams streams = streams(2, 16, Duration.ofMinutes(1));
        following(streams, "clerk", FakeSse.Sink.reading());
        EventStreams.Stream second = following(streams, "clerk", FakeSse.Sink.reading());

        assertThatThrownBy(() -> streams.open("clerk", FakeSse.Sink.reading(), sse, event -> true, false))
                .isInstanceOf(TooManyStreamsException.class).hasMessageContaining("2 event streams open");
        following(streams, "clerk2", FakeSse.Sink.reading());

        second.end().get(5, TimeUnit.SECONDS);
        following(streams, "clerk", FakeSse.Sink.reading());
        assertThat(streams.size()).isEqualTo(3);
    }

    @Test
    void aUserAtTheLimitWhoseClientsWentAwayMayOpenAnotherAtOnce() throws Exception {
        EventStreams streams = streams(2, 16, Duration.ofMinutes(1));
        FakeSse.Sink healthy = FakeSse.Sink.reading();
        following(streams, "clerk", healthy);
        FakeSse.Sink left = FakeSse.Sink.reading();
        following(streams, "clerk", left);
        eventually(() -> healthy.sent.size() == 1 && left.sent.size() == 1);
        // a page reloaded: its old stream's connection is closed, and no write has found it out yet
        left.broken = true;

        following(streams, "clerk", FakeSse.Sink.reading());

        assertThat(left.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(healthy.isClosed()).isFalse();
        assertThat(streams.size()).isEqualTo(2);
    }

    @Test
    void aStreamAbandonedBeforeItBeganCountsNoMoreAndIsNotClosed() {
        EventStreams streams = streams(1, 16, Duration.ofMinutes(1));
        FakeSse.Sink sink = FakeSse.Sink.reading();
        streams.open("clerk", sink, sse, event -> true, true).abandon();

        following(streams, "clerk", FakeSse.Sink.reading());
        assertThat(sink.isClosed()).as("the container answers the request (e.g. 404), not the stream").isFalse();
        assertThat(sink.sent).isEmpty();
    }

    @Test
    void aHeartbeatIsACommentOnEveryStream() throws Exception {
        EventStreams streams = streams();
        FakeSse.Sink one = FakeSse.Sink.reading();
        FakeSse.Sink other = FakeSse.Sink.reading();
        following(streams, "clerk", one);
        following(streams, "admin", other);

        streams.heartbeat();

        eventually(() -> one.sent.size() == 2 && other.sent.size() == 2);
        assertThat(one.names()).containsExactly(": following", ": heartbeat");
    }

    @Test
    void aClientThatWentAwayIsReleasedAtTheNextHeartbeatThoughNoTaskChanged() throws Exception {
        EventStreams streams = streams();
        FakeSse.Sink sink = FakeSse.Sink.reading();
        following(streams, "clerk", sink);
        eventually(() -> sink.sent.size() == 1);

        sink.broken = true;
        Thread.sleep(100);
        assertThat(sink.isClosed()).as("no event, no write: nothing finds the broken connection").isFalse();
        streams.heartbeat();

        assertThat(sink.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(streams.size()).isZero();
    }

    @Test
    void aStreamWhoseWriteHasNotFinishedByTheNextHeartbeatIsDropped() throws Exception {
        EventStreams streams = streams(8, 16, Duration.ofMillis(100));
        FakeSse.Sink stuck = FakeSse.Sink.notReading(clientsLetGo);
        following(streams, "clerk", stuck);
        FakeSse.Sink reading = FakeSse.Sink.reading();
        following(streams, "clerk", reading);

        streams.heartbeat();
        Thread.sleep(200);
        streams.heartbeat();

        assertThat(stuck.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(streams.size()).isOne();
        assertThat(reading.isClosed()).isFalse();
    }

    @Test
    void aTaskThatEndsBetweenItsReadAndTheStreamsStartStillEndsTheStream() throws Exception {
        EventStreams streams = streams();
        FakeSse.Sink sink = FakeSse.Sink.reading();
        EventStreams.Stream stream = streams.open("clerk", sink, sse, event -> event.taskId().equals("t1"), true);
        // the task ends after the stream was registered and before the stream's first event was sent
        streams.publish(anEvent("t1", TaskEventKind.SUCCEEDED));
        stream.begin(sse.newEventBuilder().name("task").id("t1").build(), false);

        assertThat(sink.closed.await(5, TimeUnit.SECONDS)).as("the stream ends with the task").isTrue();
        assertThat(sink.names()).containsExactly("task", "SUCCEEDED");
        assertThat(streams.size()).isZero();
    }

    @Test
    void aStreamOfATaskThatHadEndedEndsAfterItsFirstEvent() throws Exception {
        EventStreams streams = streams();
        FakeSse.Sink sink = FakeSse.Sink.reading();
        streams.open("clerk", sink, sse, event -> event.taskId().equals("t1"), true)
                .begin(sse.newEventBuilder().name("task").id("t1").build(), true);

        assertThat(sink.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(sink.names()).containsExactly("task");
    }
}
