package dev.taskbridge.bench;

import java.util.Map;

import javax.sql.DataSource;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.taskbridge.engine.EngineSettings;
import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.journal.JournalDatabase;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.setup.ActorSystemSetup;

/**
 * The setup of an actor system configured as the engine configures its own: the engine's
 * {@code taskbridge-pekko.conf}, the same host overrides, the same {@link JournalDatabase} and
 * Slick database provider over the given DataSource, the same Jackson serializer. For benches
 * whose actors are not the engine's but whose journal must be: the raw journal writers and the
 * peers' actor-per-task design.
 *
 * <p>The engine builds its configuration in a package-private class; the few host values it lays
 * over the resource are repeated here from {@link EngineSettings}.
 */
public final class EngineLikeActorSystems {

    private static final String ENGINE_CONFIG = "dev/taskbridge/engine/taskbridge-pekko.conf";

    private EngineLikeActorSystems() {
    }

    public static ActorSystemSetup setup(DataSource dataSource, Dialect dialect, EngineSettings settings,
                                         ClassLoader classLoader) {
        Config fromHost = ConfigFactory.parseMap(Map.of(
                "pekko.actor.default-dispatcher.host-thread-pool.size", settings.dispatcherThreads(),
                "taskbridge.blocking-dispatcher.host-thread-pool.size", settings.blockingThreads(),
                "pekko.coordinated-shutdown.phases.actor-system-terminate.timeout",
                settings.shutdownTimeout().toMillis() + "ms"));
        Config engine = ConfigFactory.parseResources(classLoader, ENGINE_CONFIG);
        if (engine.isEmpty()) {
            throw new IllegalStateException(ENGINE_CONFIG + " is not on the class path");
        }
        Config config = fromHost.withFallback(engine).withFallback(ConfigFactory.defaultReference(classLoader))
                .resolve();
        return ActorSystemSetup.create(BootstrapSetup.create(config).withClassloader(classLoader),
                new JournalDatabase(dataSource, dialect, settings.journalThreads()));
    }
}
