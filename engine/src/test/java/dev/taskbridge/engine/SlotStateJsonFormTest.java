package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import dev.taskbridge.engine.slot.Slot;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A slot's snapshot keeps its JSON form whatever the state holds in memory: the list of its tasks
 * under "queue", and nothing else, so that slots of older and newer versions read each other's
 * snapshots ({@link SlotSnapshotCompatibilityTest} reads the older forms).
 */
class SlotStateJsonFormTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create(PekkoConfig.build(EngineSettings.DEFAULTS, SlotStateJsonFormTest.class.getClassLoader()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static SerializerWithStringManifest serializer() throws Exception {
        return (SerializerWithStringManifest) SerializationExtension.get(testKit.system()).serializerFor(Slot.State.class);
    }

    @Test
    void aSnapshotIsTheListOfItsTasksWithUuidIdsWrittenAsTheStringsTheyCameAs() throws Exception {
        String uuid = UUID.randomUUID().toString();
        Slot.State state = new Slot.State(List.of(new Slot.QueuedTask(uuid, 2), new Slot.QueuedTask("t1", 0)));

        String json = new String(serializer().toBinary(state), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"queue\":[{\"taskId\":\"" + uuid + "\",\"generation\":2},{\"taskId\":\"t1\",\"generation\":0}],"
                + "\"keysKnown\":true}");
        assertThat(serializer().manifest(state)).isEqualTo("dev.taskbridge.engine.slot.Slot$State");
        assertThat(serializer().fromBinary(json.getBytes(StandardCharsets.UTF_8), serializer().manifest(state))).isEqualTo(state);
    }

    @Test
    void aPriorityIsWrittenOnlyWhenItIsNotTheUsualSoThatOlderVersionsReadWhatTheyKnew() throws Exception {
        Slot.State state = new Slot.State(List.of(new Slot.QueuedTask("t1", 0), new Slot.QueuedTask("t2", 1, 5),
                new Slot.QueuedTask("t3", 0, -1)));

        String json = new String(serializer().toBinary(state), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"queue\":[{\"taskId\":\"t2\",\"generation\":1,\"priority\":5},"
                + "{\"taskId\":\"t1\",\"generation\":0},{\"taskId\":\"t3\",\"generation\":0,\"priority\":-1}],"
                + "\"keysKnown\":true}");
        assertThat(serializer().fromBinary(json.getBytes(StandardCharsets.UTF_8), serializer().manifest(state))).isEqualTo(state);
    }

    @Test
    void anEmptyQueueIsAnEmptyList() throws Exception {
        assertThat(new String(serializer().toBinary(new Slot.State(List.of())), StandardCharsets.UTF_8)).isEqualTo("{\"queue\":[],\"keysKnown\":true}");
    }
}
