package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node of a cluster is given to listen with, and how it is refused when that is unsafe or wrong. */
class ClusterSettingsTest {

    @Test
    void aNodeListeningBeyondLoopbackWithoutTlsIsRefusedAtStart() {
        ClusterSettings plain = ClusterSettings.node("10.0.0.5", 25520, List.of("10.0.0.5:25520"));
        assertThatThrownBy(() -> PekkoConfig.build(EngineSettings.DEFAULTS.withCluster(plain), getClass().getClassLoader()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.5").hasMessageContaining("TLS");
        for (String name : new String[] {"127.evil.example", "127.0.0.1.example", "localhost.example"}) {
            ClusterSettings named = ClusterSettings.node(name, 25520, List.of(name + ":25520"));
            assertThatThrownBy(() -> PekkoConfig.build(EngineSettings.DEFAULTS.withCluster(named), getClass().getClassLoader()))
                    .as(name).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TLS");
        }
        ClusterSettings loopback = ClusterSettings.node("127.0.0.1", 25520, List.of("127.0.0.1:25520"));
        assertThat(PekkoConfig.build(EngineSettings.DEFAULTS.withCluster(loopback), getClass().getClassLoader())
                .getString("pekko.remote.artery.transport")).isEqualTo("tcp");
    }

    @Test
    void halfTheKeysIsRefusedRatherThanTakenForPlainTcp() {
        assertThatThrownBy(() -> new ClusterTls(null, null, Path.of("truststore.p12"), "secret"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trust store");
    }

    @Test
    void withKeysTheNodeSpeaksTlsWithMutualAuthenticationAndItsSettingsNeverShowAPassword(@TempDir Path dir) throws Exception {
        ClusterKeys keys = ClusterKeys.authority(dir);
        ClusterTls tls = keys.node("node-1");
        // put together as the server's settings do: the node, then its keys
        ClusterSettings cluster = ClusterSettings.node("10.0.0.5", 25520, List.of("10.0.0.5:25520")).withTls(tls);

        Config config = PekkoConfig.build(EngineSettings.DEFAULTS.withCluster(cluster), getClass().getClassLoader());

        assertThat(config.getString("pekko.remote.artery.transport")).isEqualTo("tls-tcp");
        String ssl = "pekko.remote.artery.ssl.config-ssl-engine.";
        assertThat(config.getString(ssl + "key-store")).isEqualTo(tls.keyStore().toAbsolutePath().toString());
        assertThat(config.getString(ssl + "trust-store")).isEqualTo(tls.trustStore().toAbsolutePath().toString());
        assertThat(config.getBoolean(ssl + "require-mutual-authentication")).isTrue();
        assertThat(config.getString(ssl + "protocol")).isEqualTo("TLSv1.3");
        assertThat(config.getString("pekko.remote.artery.canonical.hostname")).isEqualTo("10.0.0.5");
        assertThat(cluster.toString()).contains(tls.keyStore().toString()).doesNotContain(keys.password());
    }

    @Test
    void aKeyStoreThatIsMissingOrOpensWithAnotherPasswordIsNamedAtStart(@TempDir Path dir) throws Exception {
        ClusterKeys keys = ClusterKeys.authority(dir);
        ClusterTls tls = keys.node("node-1");

        ClusterTls wrongPassword = ClusterTls.of(tls.keyStore(), "not-the-password", tls.trustStore(), tls.trustStorePassword());
        assertThatThrownBy(wrongPassword::check).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(tls.keyStore().toString()).hasMessageContaining("wrong password");
        ClusterTls missing = ClusterTls.of(dir.resolve("absent.p12"), keys.password(), tls.trustStore(), keys.password());
        assertThatThrownBy(missing::check).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absent.p12").hasMessageContaining("does not exist");
        ClusterTls trustStoreAsKeyStore = ClusterTls.of(tls.trustStore(), keys.password(), tls.trustStore(), keys.password());
        assertThatThrownBy(trustStoreAsKeyStore::check).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no private key");
        tls.check();
    }

    @Test
    void aServerRunsTheTypesNotPlacedAndTheTypesOfItsRolesAWorkerOnlyThoseOfItsRoles() {
        ClusterSettings server = ClusterSettings.node("127.0.0.1", 25520, List.of("127.0.0.1:25520"))
                .withRoles(java.util.Set.of("web")).withTypeRoles(java.util.Map.of("ledger.post", "heavy", "ledger.validate", "web"));
        ClusterSettings worker = server.withRoles(java.util.Set.of("heavy")).withWorker(true);

        assertThat(server.memberRoles()).containsExactlyInAnyOrder("web", ClusterSettings.UNPLACED_TYPES_ROLE);
        assertThat(worker.memberRoles()).containsExactly("heavy");
        Config workerConfig = PekkoConfig.build(EngineSettings.DEFAULTS.withCluster(worker), getClass().getClassLoader());
        assertThat(workerConfig.getStringList("pekko.cluster.roles")).containsExactly("heavy");
        assertThat(workerConfig.getString("pekko.cluster.split-brain-resolver.keep-majority.role"))
                .as("the servers decide a split, not the workers").isEqualTo(ClusterSettings.UNPLACED_TYPES_ROLE);
        assertThat(workerConfig.getStringList("taskbridge.cluster.placement")).as("compared when a node joins")
                .containsExactly("*=unplaced-types", "ledger.post=heavy", "ledger.validate=web");
        assertThat(List.of("ledger.post", "ledger.validate", "bank.import")).filteredOn(server::runs)
                .containsExactly("ledger.validate", "bank.import");
        assertThat(List.of("ledger.post", "ledger.validate", "bank.import")).filteredOn(worker::runs)
                .containsExactly("ledger.post");
    }

    @Test
    void theRoleOfTheTypesNotPlacedIsTaskbridgesOwn() {
        ClusterSettings node = ClusterSettings.node("127.0.0.1", 25520, List.of("127.0.0.1:25520"));
        assertThatThrownBy(() -> node.withRoles(java.util.Set.of(ClusterSettings.UNPLACED_TYPES_ROLE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Taskbridge's own");
        assertThatThrownBy(() -> node.withTypeRoles(java.util.Map.of("ledger.post", ClusterSettings.UNPLACED_TYPES_ROLE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no type is placed");
    }

    @Test
    void aNodeWithARoleWhoseTypesItHasNoPluginForIsRefusedNamingThem() {
        ClusterSettings worker = ClusterSettings.node("127.0.0.1", 25520, List.of("127.0.0.1:25520"))
                .withRoles(java.util.Set.of("heavy")).withTypeRoles(java.util.Map.of("ledger.post", "heavy", "bank.import", "web"))
                .withWorker(true);
        dev.taskbridge.engine.plugins.TaskTypeRegistry none = dev.taskbridge.engine.plugins.TaskTypeRegistry.of(List.of());

        assertThatThrownBy(() -> TaskEngine.requirePluginsOfItsRoles(worker, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ledger.post (role heavy)")
                .hasMessageNotContaining("bank.import");
        TaskEngine.requirePluginsOfItsRoles(worker.withRoles(java.util.Set.of("web2")), none); // no role of its placed types: nothing to run
    }

    @Test
    void aTypeWhoseRoleNoMemberUpAndReachableHasIsNamedWithItsRole() {
        ClusterSettings cluster = ClusterSettings.node("127.0.0.1", 25520, List.of("127.0.0.1:25520"))
                .withTypeRoles(java.util.Map.of("ledger.post", "heavy", "report.year", "reports"));
        ClusterMember server = new ClusterMember("pekko://taskbridge@127.0.0.1:25520", "Up",
                java.util.Set.of(ClusterSettings.UNPLACED_TYPES_ROLE), true, true, "0.1.0");
        ClusterMember heavyLeaving = new ClusterMember("pekko://taskbridge@127.0.0.1:25521", "Leaving",
                java.util.Set.of("heavy"), true, false, "0.1.0");
        ClusterMember reportsUnreachable = new ClusterMember("pekko://taskbridge@127.0.0.1:25522", "Up",
                java.util.Set.of("reports"), false, false, "0.1.0");

        assertThat(cluster.typesWithoutNode(List.of(server, heavyLeaving, reportsUnreachable)))
                .containsExactly("ledger.post (heavy)", "report.year (reports)");
        ClusterMember heavyUp = new ClusterMember("pekko://taskbridge@127.0.0.1:25523", "Up", java.util.Set.of("heavy"), true,
                false, "0.1.0");
        assertThat(cluster.typesWithoutNode(List.of(server, heavyUp, reportsUnreachable))).containsExactly("report.year (reports)");
    }
}
