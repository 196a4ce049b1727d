package dev.taskbridge.engine;

import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * Builds the actor system's configuration: the host's settings over the engine's
 * {@code taskbridge-pekko.conf} over every {@code reference.conf} visible to the deployment's
 * class loader. System properties are deliberately left out: in an application server they
 * belong to the whole JVM, not to this deployment.
 */
final class PekkoConfig {

    static final String RESOURCE = "dev/taskbridge/engine/taskbridge-pekko.conf";
    /** Laid over {@link #RESOURCE} for a node of a cluster. */
    static final String CLUSTER_RESOURCE = "dev/taskbridge/engine/taskbridge-cluster.conf";
    static final String BLOCKING_DISPATCHER = "taskbridge.blocking-dispatcher";

    private PekkoConfig() {
    }

    static Config build(EngineSettings settings, ClassLoader classLoader) {
        Config fromHost = ConfigFactory.parseMap(Map.of(
                "pekko.actor.default-dispatcher.host-thread-pool.size", settings.dispatcherThreads(),
                BLOCKING_DISPATCHER + ".host-thread-pool.size", settings.blockingThreads(),
                "pekko.coordinated-shutdown.phases.actor-system-terminate.timeout",
                settings.shutdownTimeout().toMillis() + "ms"));
        Config engine = resource(RESOURCE, classLoader);
        ClusterSettings cluster = settings.cluster();
        if (cluster.enabled()) {
            fromHost = fromHost.withFallback(ConfigFactory.parseMap(Map.of(
                    "pekko.remote.artery.canonical.hostname", cluster.host(),
                    "pekko.remote.artery.canonical.port", cluster.port(),
                    "pekko.cluster.seed-nodes", cluster.seedNodes().stream()
                            .map(seed -> "pekko://" + settings.systemName() + "@" + seed).toList(),
                    "pekko.cluster.split-brain-resolver.stable-after", cluster.stableAfter().toMillis() + "ms",
                    // the majority is counted among the servers: workers, however many, never outvote the
                    // nodes that take submissions (design note 040)
                    "pekko.cluster.split-brain-resolver.keep-majority.role", ClusterSettings.UNPLACED_TYPES_ROLE,
                    "pekko.cluster.roles", cluster.memberRoles().stream().sorted().toList(),
                    // every member says which Taskbridge it runs: the operators' view lists it per member
                    "pekko.cluster.app-version", BuildInfo.current().version(),
                    PlacementCheck.PLACEMENT, PlacementCheck.placement(cluster.typeRoles()),
                    PlacementCheck.CHECKER, PlacementCheck.class.getName())));
            cluster.requireSafeTransport();
            ClusterTls tls = cluster.tls();
            if (tls.enabled()) {
                tls.check();
                // Pekko's own provider: both sides present a certificate the other trusts (mutual
                // authentication is on by default), TLS 1.3 only
                String ssl = "pekko.remote.artery.ssl.config-ssl-engine.";
                fromHost = fromHost.withFallback(ConfigFactory.parseMap(Map.of(
                        "pekko.remote.artery.transport", "tls-tcp",
                        ssl + "key-store", tls.keyStore().toAbsolutePath().toString(),
                        ssl + "key-store-password", tls.keyStorePassword(),
                        ssl + "key-password", tls.keyStorePassword(),
                        ssl + "trust-store", tls.trustStore().toAbsolutePath().toString(),
                        ssl + "trust-store-password", tls.trustStorePassword(),
                        ssl + "require-mutual-authentication", true,
                        ssl + "protocol", "TLSv1.3",
                        ssl + "enabled-algorithms", List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"))));
            }
            engine = resource(CLUSTER_RESOURCE, classLoader).withFallback(engine);
        }
        return fromHost.withFallback(engine).withFallback(ConfigFactory.defaultReference(classLoader)).resolve();
    }

    private static Config resource(String name, ClassLoader classLoader) {
        Config config = ConfigFactory.parseResources(classLoader, name);
        if (config.isEmpty()) {
            throw new IllegalStateException(name + " is not visible to class loader " + classLoader);
        }
        return config;
    }
}
