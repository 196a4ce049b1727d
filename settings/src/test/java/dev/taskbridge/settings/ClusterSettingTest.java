package dev.taskbridge.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

import dev.taskbridge.engine.ClusterSettings;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.Converter;
import org.junit.jupiter.api.Test;

/** {@code taskbridge.cluster.*} as a server and a worker read it (README, "Several nodes"; design notes 036, 037, 039). */
class ClusterSettingTest {

    /** A type only named: the settings read its placement, nothing runs it. */
    private static final TaskType<String> HEAVY = new TaskType<>() {
        @Override
        public String id() {
            return "test.parses";
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public String parse(Payload payload) {
            return "parsed";
        }

        @Override
        public TaskHandler<String> handler() {
            throw new UnsupportedOperationException("never run");
        }
    };

    @Test
    void aServerRunsAloneUnlessItsClusterIsEnabled() {
        assertThat(cluster(Map.of())).isEqualTo(ClusterSettings.NONE);
        assertThat(cluster(Map.of("taskbridge.cluster.enabled", "false", "taskbridge.cluster.seed-nodes", "10.0.0.5:25520")))
                .isEqualTo(ClusterSettings.NONE);
    }

    @Test
    void aNodeIsReadWithItsSeedsKeysRolesAndPlacement() {
        ClusterSettings cluster = cluster(Map.ofEntries(
                Map.entry("taskbridge.cluster.enabled", "true"),
                Map.entry("taskbridge.cluster.host", "10.0.0.5"),
                Map.entry("taskbridge.cluster.port", "25600"),
                Map.entry("taskbridge.cluster.seed-nodes", " 10.0.0.5:25600, 10.0.0.6:25600 ,"),
                Map.entry("taskbridge.cluster.stable-after-ms", "5000"),
                Map.entry("taskbridge.cluster.tls.key-store", "/keys/node-1.p12"),
                Map.entry("taskbridge.cluster.tls.key-store-password", "from-the-environment"),
                Map.entry("taskbridge.cluster.tls.trust-store", "/keys/truststore.p12"),
                Map.entry("taskbridge.cluster.tls.trust-store-password", "from-the-environment"),
                Map.entry("taskbridge.cluster.roles", "heavy, web"),
                Map.entry("taskbridge.cluster.role.test.parses", "heavy")));

        assertThat(cluster.enabled()).isTrue();
        assertThat(cluster.host()).isEqualTo("10.0.0.5");
        assertThat(cluster.port()).isEqualTo(25600);
        assertThat(cluster.seedNodes()).containsExactly("10.0.0.5:25600", "10.0.0.6:25600");
        assertThat(cluster.stableAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(cluster.tls().keyStore()).isEqualTo(Path.of("/keys/node-1.p12"));
        assertThat(cluster.tls().trustStore()).isEqualTo(Path.of("/keys/truststore.p12"));
        assertThat(cluster.tls().keyStorePassword()).isEqualTo("from-the-environment");
        assertThat(cluster.roles()).containsExactlyInAnyOrder("heavy", "web");
        assertThat(cluster.typeRoles()).containsExactly(Map.entry(HEAVY.id(), "heavy"));
    }

    @Test
    void thePlacementOfTypesWithoutAPluginHereIsReadTooAsAWorkerMustPlaceEveryTypeAsTheCluster() {
        ClusterSettings cluster = cluster(Map.of(
                "taskbridge.cluster.enabled", "true",
                "taskbridge.cluster.seed-nodes", "127.0.0.1:25520",
                "taskbridge.cluster.role.test.parses", "heavy",
                "taskbridge.cluster.role.ledger.post", " web "));
        assertThat(cluster.typeRoles()).containsOnly(Map.entry("test.parses", "heavy"), Map.entry("ledger.post", "web"));
    }

    @Test
    void aKeyStoreWithoutItsPasswordOrTrustStoreIsRefusedNamingTheSettingMissing() {
        Map<String, String> settings = new HashMap<>(Map.of(
                "taskbridge.cluster.enabled", "true",
                "taskbridge.cluster.seed-nodes", "127.0.0.1:25520",
                "taskbridge.cluster.tls.key-store", "/keys/node-1.p12",
                "taskbridge.cluster.tls.trust-store", "/keys/truststore.p12",
                "taskbridge.cluster.tls.trust-store-password", "secret"));
        assertThatThrownBy(() -> cluster(settings)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("taskbridge.cluster.tls.key-store-password must be set when taskbridge.cluster.tls.key-store is");
    }

    @Test
    void aClusterNodeWithoutSeedsIsRefused() {
        assertThatThrownBy(() -> cluster(Map.of("taskbridge.cluster.enabled", "true")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("taskbridge.cluster.seed-nodes");
    }

    private static ClusterSettings cluster(Map<String, String> settings) {
        return TaskbridgeSettings.engine(new MapConfig(settings), List.of(HEAVY)).cluster();
    }

    /** The settings as a MicroProfile Config would give them: strings, converted on the way out. */
    private record MapConfig(Map<String, String> values) implements Config {

        @Override
        public <T> T getValue(String name, Class<T> type) {
            return getOptionalValue(name, type).orElseThrow(() -> new NoSuchElementException(name));
        }

        @Override
        public <T> Optional<T> getOptionalValue(String name, Class<T> type) {
            String value = values.get(name);
            if (value == null) {
                return Optional.empty();
            }
            Object converted = type == Integer.class ? Integer.valueOf(value.strip())
                    : type == Long.class ? Long.valueOf(value.strip())
                    : type == Boolean.class ? Boolean.valueOf(value.strip())
                    : value;
            return Optional.of(type.cast(converted));
        }

        @Override
        public ConfigValue getConfigValue(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Iterable<String> getPropertyNames() {
            return values.keySet();
        }

        @Override
        public Iterable<ConfigSource> getConfigSources() {
            return List.of();
        }

        @Override
        public <T> Optional<Converter<T>> getConverter(Class<T> type) {
            return Optional.empty();
        }

        @Override
        public <T> T unwrap(Class<T> type) {
            throw new UnsupportedOperationException();
        }
    }
}
