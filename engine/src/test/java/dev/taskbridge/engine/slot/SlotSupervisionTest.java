package dev.taskbridge.engine.slot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import com.typesafe.config.ConfigFactory;
import dev.taskbridge.engine.TaskMetrics;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.plugin.ChunkOutcome;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A slot that fails for a reason nobody foresaw (a bug in its own code or in what it calls on its
 * thread) must not take its task type out of service: it is started again, recovers its queue
 * from the journal, says so in metrics and readiness, and goes on with the work it holds.
 */
class SlotSupervisionTest {

    private final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
            .withFallback(ConfigFactory.parseString(
                    "pekko.actor.serialization-bindings { \"dev.taskbridge.engine.JsonSerializable\" = jackson-json }")));

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    /**
     * Its first call to {@link #prepare} throws on the runner's thread, as a bug would; later
     * calls find the task finished, so the slot drops it.
     */
    private static final class FailsOnceOnTheSlotsThread implements TaskWork {

        final AtomicInteger prepares = new AtomicInteger();

        @Override
        public CompletionStage<PreparedTask> prepare(SlotId slot, String taskId) {
            if (prepares.getAndIncrement() == 0) {
                throw new IllegalStateException("a bug on the slot's thread (scripted)");
            }
            return CompletableFuture.completedFuture(PreparedTask.alreadyFinished(slot, taskId, 0));
        }

        @Override
        public CompletionStage<ChunkOutcome> runChunk(PreparedTask task, int chunk, int attempt, Progress before) {
            throw new AssertionError("no chunk runs in this test");
        }

        @Override
        public CompletionStage<Boolean> succeed(PreparedTask task) {
            throw new AssertionError("no task succeeds in this test");
        }

        @Override
        public CompletionStage<Boolean> fail(SlotId slot, String taskId, int generation, Throwable failure, String reference) {
            throw new AssertionError("no task fails in this test");
        }
    }

    @Test
    void aSlotWhoseRunnerFailsIsStartedAgainCountedAndGoesOnWithTheQueueItJournaled() {
        SlotId slot = new SlotId("test.steps", 0);
        AtomicInteger restarts = new AtomicInteger();
        TaskMetrics metrics = new TaskMetrics() {
            @Override
            public void slotRestarted(String taskType) {
                restarts.incrementAndGet();
            }
        };
        SlotReporting reporting = new SlotReporting("node-1", metrics);
        FailsOnceOnTheSlotsThread work = new FailsOnceOnTheSlotsThread();
        ActorRef<Slot.Command> ref = testKit.spawn(Slot.create(slot, work, RetrySettings.DEFAULTS, 100, reporting));
        await().atMost(Duration.ofSeconds(10)).until(() -> reporting.live().get());

        TestProbe<Slot.Accepted> accepted = testKit.createTestProbe();
        ref.tell(new Slot.Accept(List.of(new Slot.QueuedTask("task-1", 0)), accepted.getRef()));
        assertThat(accepted.receiveMessage()).isEqualTo(new Slot.Accepted(1));

        await().atMost(Duration.ofSeconds(10)).until(() -> restarts.get() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> reporting.live().get());
        // the restarted slot recovered the task from its journal, and its new runner ran it
        await().atMost(Duration.ofSeconds(10)).until(() -> work.prepares.get() == 2);
        TestProbe<Slot.QueueView> queue = testKit.createTestProbe();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            ref.tell(new Slot.GetQueue(queue.getRef()));
            assertThat(queue.receiveMessage()).isEqualTo(new Slot.QueueView(null, List.of()));
        });
        assertThat(restarts.get()).isEqualTo(1);
    }
}
