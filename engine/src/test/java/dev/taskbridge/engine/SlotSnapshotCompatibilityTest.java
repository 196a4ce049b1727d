package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.taskbridge.engine.slot.Slot;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slots journaled and snapshotted before run generations and before chunk data left the events
 * must recover after an upgrade: their JSON is read through the serializer the engine configures.
 */
class SlotSnapshotCompatibilityTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create(PekkoConfig.build(EngineSettings.DEFAULTS, SlotSnapshotCompatibilityTest.class.getClassLoader()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static Object read(Class<?> type, String json) throws Exception {
        Serializer serializer = SerializationExtension.get(testKit.system()).serializerFor(type);
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return ((SerializerWithStringManifest) serializer).fromBinary(bytes, type.getName());
    }

    /** A task of a snapshot written before order keys were: it may have one (note 034). */
    private static Slot.QueuedTask keyNotKnown(String id, int generation) {
        return new Slot.QueuedTask(id, generation, 0, Slot.QueuedTask.KEY_NOT_KNOWN);
    }

    @Test
    void anOldSnapshotWithBareWaitingIdsAndChunkDataIsReadAsGenerationZero() throws Exception {
        Slot.State state = (Slot.State) read(Slot.State.class,
                "{\"running\":{\"taskId\":\"t1\",\"chunkCount\":3,\"chunks\":[{\"itemsDone\":10,\"itemsFailed\":0,"
                        + "\"data\":\"a big report\"}]},\"waiting\":[\"t2\",\"t3\"]}");

        assertThat(state.queue()).containsExactly(keyNotKnown("t1", 0), keyNotKnown("t2", 0),
                keyNotKnown("t3", 0));
    }

    @Test
    void aSnapshotWithARunningTaskApartFromItsQueueIsReadWithTheRunningTaskFirst() throws Exception {
        Slot.State state = (Slot.State) read(Slot.State.class,
                "{\"running\":{\"taskId\":\"t1\",\"chunkCount\":2,\"chunks\":[{\"itemsDone\":3,\"itemsFailed\":1}],"
                        + "\"generation\":4},\"waiting\":[{\"taskId\":\"t2\",\"generation\":1}]}");

        assertThat(state.queue()).containsExactly(keyNotKnown("t1", 4), keyNotKnown("t2", 1));
    }

    @Test
    void anOldSnapshotWhoseRunningTaskWasRetriedBehindItKeepsTheNewerGeneration() throws Exception {
        Slot.State state = (Slot.State) read(Slot.State.class,
                "{\"running\":{\"taskId\":\"A\",\"chunkCount\":2,\"chunks\":[],\"generation\":0},"
                        + "\"waiting\":[{\"taskId\":\"A\",\"generation\":1},{\"taskId\":\"B\",\"generation\":0}]}");

        assertThat(state.queue()).containsExactly(keyNotKnown("A", 1), keyNotKnown("B", 0));
        assertThat(state.after(new Slot.TaskFailed("A", "late", 0)).queue()).as("the old run's end leaves the retry")
                .containsExactly(keyNotKnown("A", 1), keyNotKnown("B", 0));
    }

    @Test
    void oldEventsOfTheRunningTaskChangeNothingOfTheQueue() {
        Slot.State state = new Slot.State(List.of(new Slot.QueuedTask("t1", 0), new Slot.QueuedTask("t2", 0)));

        assertThat(state.after(new Slot.TaskStarted("t1", 2, 0)).after(new Slot.ChunkCommitted("t1", 0, 1, 0, 0)))
                .isEqualTo(state);
        assertThat(state.after(new Slot.TaskSucceeded("t1", 0)).queue()).containsExactly(new Slot.QueuedTask("t2", 0));
    }

    @Test
    void oldEventsWithoutGenerationsAreReadAsGenerationZero() throws Exception {
        assertThat(read(Slot.ChunkCommitted.class,
                "{\"taskId\":\"t1\",\"chunk\":0,\"itemsDone\":1,\"itemsFailed\":2,\"data\":\"x\"}"))
                .isEqualTo(new Slot.ChunkCommitted("t1", 0, 1, 2, 0));
        assertThat(read(Slot.TaskAccepted.class, "{\"taskId\":\"t1\"}")).isEqualTo(new Slot.TaskAccepted("t1", 0));
    }

    @Test
    void aNewSnapshotReadsBackAsItWasWritten() throws Exception {
        Slot.State state = new Slot.State(List.of(new Slot.QueuedTask("t1", 4), new Slot.QueuedTask("t2", 1)));
        Serializer serializer = SerializationExtension.get(testKit.system()).serializerFor(Slot.State.class);

        assertThat(read(Slot.State.class, new String(serializer.toBinary(state), StandardCharsets.UTF_8))).isEqualTo(state);
    }
}
