package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import dev.taskbridge.engine.routing.SlotAddressing;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.engine.slot.RetrySettings;
import dev.taskbridge.engine.slot.Slot;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hand-over of stored tasks to their slots, with a probe where the slot would be: what is
 * tested here is how hand-overs are batched and repeated, not the slot.
 */
class HandOversTest {

    private static final SlotId SLOT = new SlotId("test.type", 0);
    private static final Duration ASK = Duration.ofSeconds(5);

    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /**
     * Pekko's ask answers with a Scala future seen as a {@code CompletableFuture} that runs even
     * {@code whenComplete} callbacks on the JDK's default executor, which on a machine with fewer
     * than three cores starts a new thread for every callback: one thread per hand-over, measured
     * at 2,355 threads in 49 s of the bench. The next hand-over must go from a thread of the actor
     * system instead.
     */
    @Test
    void theNextHandOverGoesFromTheActorSystemsThreadsNotFromANewThreadPerAcknowledgement() {
        TestProbe<Slot.Command> slot = testKit.createTestProbe();
        List<String> askedFrom = new CopyOnWriteArrayList<>();
        SlotAddressing addressing = new SlotAddressing() {
            @Override
            public void tell(SlotId id, Slot.Command command) {
                slot.ref().tell(command);
            }

            @Override
            public <R> CompletionStage<R> ask(SlotId id, Function<ActorRef<R>, Slot.Command> command, Duration timeout) {
                askedFrom.add(Thread.currentThread().getName());
                return AskPattern.ask(slot.ref(), command::apply, timeout, testKit.system().scheduler());
            }
        };
        HandOvers handOvers = new HandOvers(addressing, ASK, new RetrySettings(3, Duration.ofMillis(10),
                Duration.ofMillis(50)), testKit.system().scheduler(), testKit.system().executionContext(),
                () -> true);

        handOvers.handOver(SLOT, "first", 0, 0, null);
        Slot.Accept first = slot.expectMessageClass(Slot.Accept.class);
        handOvers.handOver(SLOT, "second", 0, 0, null); // waits for the first hand-over's acknowledgement
        slot.expectNoMessage(Duration.ofMillis(100));
        first.replyTo().tell(new Slot.Accepted(1));

        Slot.Accept second = slot.expectMessageClass(Slot.Accept.class);
        assertThat(second.tasks()).extracting(Slot.QueuedTask::taskId).containsExactly("second");
        assertThat(askedFrom).hasSize(2);
        assertThat(askedFrom.get(1))
                .as("the thread that sent the second hand-over")
                .startsWith(testKit.system().name());
    }
}
