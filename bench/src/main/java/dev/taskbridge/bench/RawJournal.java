package dev.taskbridge.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.taskbridge.engine.EngineSettings;
import dev.taskbridge.engine.journal.Dialect;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * An actor system configured as the engine configures its own ({@link EngineLikeActorSystems})
 * but running only {@link JournalWriter}s: the rate at which the engine's journal can take events
 * when nothing else happens.
 */
final class RawJournal implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final ActorSystem<SpawnProtocol.Command> system;
    private int round;

    private RawJournal(ActorSystem<SpawnProtocol.Command> system) {
        this.system = system;
    }

    static RawJournal start(DataSource dataSource, Dialect dialect, EngineSettings settings, ClassLoader classLoader) {
        return new RawJournal(ActorSystem.create(SpawnProtocol.create(), "taskbridge-raw-journal",
                EngineLikeActorSystems.setup(dataSource, dialect, settings, classLoader)));
    }

    /**
     * Spawns {@code writers} fresh writers, waits until they have recovered, then times
     * {@code events} persists spread evenly over them.
     *
     * @return events per second
     */
    double write(int writers, int events) throws Exception {
        round++;
        List<ActorRef<JournalWriter.Command>> refs = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            refs.add(spawn("r" + round + "-" + i));
        }
        CountDownLatch ready = new CountDownLatch(writers);
        refs.forEach(ref -> ref.tell(new JournalWriter.Ready(ready)));
        await(ready, "the writers to recover");

        CountDownLatch done = new CountDownLatch(writers);
        int perWriter = events / writers;
        long start = System.nanoTime();
        for (int i = 0; i < writers; i++) {
            int count = perWriter + (i < events % writers ? 1 : 0);
            refs.get(i).tell(new JournalWriter.Write(count, UUID.randomUUID().toString(), done));
        }
        await(done, events + " events to be journaled");
        double seconds = (System.nanoTime() - start) / 1e9;
        refs.forEach(ref -> ref.tell(new JournalWriter.Stop()));
        return events / seconds;
    }

    private ActorRef<JournalWriter.Command> spawn(String key) throws Exception {
        return AskPattern.<SpawnProtocol.Command, ActorRef<JournalWriter.Command>>ask(system,
                        replyTo -> new SpawnProtocol.Spawn<>(JournalWriter.create(key), "writer-" + key,
                                Props.empty(), replyTo),
                        Duration.ofSeconds(10), system.scheduler())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("gave up waiting for " + what + " after " + TIMEOUT);
        }
    }

    @Override
    public void close() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
