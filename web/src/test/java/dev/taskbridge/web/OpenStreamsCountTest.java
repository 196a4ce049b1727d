package dev.taskbridge.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.taskbridge.gateway.Progress;
import dev.taskbridge.gateway.TaskEvent;
import dev.taskbridge.gateway.TaskEventKind;
import dev.taskbridge.gateway.TaskStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The count behind {@code taskbridge_event_streams_open}: what says that streams were released. */
class OpenStreamsCountTest {

    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final FakeSse sse = new FakeSse();
    private final CountDownLatch clientsLetGo = new CountDownLatch(1);

    @AfterEach
    void stopThreads() {
        clientsLetGo.countDown();
        threads.shutdownNow();
    }

    private EventStreams.Stream following(EventStreams streams, String user, FakeSse.Sink sink) {
        EventStreams.Stream stream = streams.open(user, sink, sse, event -> true, false);
        stream.begin(sse.newEventBuilder().comment("following").build(), false);
        return stream;
    }

    @Test
    void showsNoStreamsBeforeTheFirstOneOpens() {
        LiveEvents live = new LiveEvents();
        assertThat(live.openStreams()).isZero();
    }

    @Test
    void countsOpenStreamsAndNoLongerThoseClosedOrDroppedForNotReading() throws Exception {
        EventStreams streams = new EventStreams(threads, new EventStreams.Settings(8, 2, Duration.ofMinutes(1), Duration.ofSeconds(1)));
        LiveEvents live = new LiveEvents(streams);

        EventStreams.Stream closedByClient = following(streams, "clerk", FakeSse.Sink.reading());
        FakeSse.Sink stuck = FakeSse.Sink.notReading(clientsLetGo);
        following(streams, "clerk", stuck);
        // follows none of the events below, which could otherwise pile up beyond its small queue too
        streams.open("clerk2", FakeSse.Sink.reading(), sse, event -> false, false)
                .begin(sse.newEventBuilder().comment("following").build(), false);
        assertThat(live.openStreams()).isEqualTo(3);

        closedByClient.end().get(5, TimeUnit.SECONDS);
        assertThat(live.openStreams()).isEqualTo(2);

        // the stuck client's first write never ends: its queue of 2 fills and the stream is dropped
        for (int i = 0; i < 4; i++) {
            streams.publish(new TaskEvent("t" + i, "test.type", "clerk", TaskEventKind.STARTED, TaskStatus.RUNNING,
                    new Progress(0, 1, 0, 0), Instant.now(), null));
        }
        assertThat(stuck.closed.await(5, TimeUnit.SECONDS)).as("the client that does not read is dropped").isTrue();
        assertThat(live.openStreams()).isEqualTo(1);

        streams.stop();
        assertThat(live.openStreams()).isZero();
    }
}
