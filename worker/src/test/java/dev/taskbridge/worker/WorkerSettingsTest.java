package dev.taskbridge.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's settings as an operator gets them wrong: each is refused at start, named, before
 * anything joins a cluster or opens a database (the worker's run is WorkerIT's, in integration-tests).
 */
class WorkerSettingsTest {

    @TempDir
    Path dir;

    /** As the settings file says, with a worker's role and its type's placement unless {@code properties} say otherwise. */
    private Config config(String properties) throws Exception {
        Files.createDirectories(dir.resolve("plugins"));
        return Worker.config(Files.writeString(dir.resolve("worker.properties"), "taskbridge.worker.home=" + dir + "\n"
                + "taskbridge.cluster.roles=heavy\ntaskbridge.cluster.role." + HeavyTestType.ID + "=heavy\n" + properties));
    }

    @Test
    void aFileThatIsNotThereIsNamed() {
        assertThatThrownBy(() -> Worker.config(dir.resolve("missing.properties")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.properties");
    }

    @Test
    void aWorkerOutsideAClusterIsRefusedItWouldRunTheServersSlotsBesideThem() throws Exception {
        Config config = config("taskbridge.worker.database.url=jdbc:postgresql://127.0.0.1:1/none\n");
        assertThatThrownBy(() -> Worker.start(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("taskbridge.cluster.enabled=true").hasMessageContaining("taskbridge.cluster.seed-nodes");
    }

    @Test
    void aDatabaseOtherThanPostgresqlIsRefusedAWorkerSharesTheServers() throws Exception {
        Config config = config("""
                taskbridge.worker.database.url=jdbc:h2:mem:tasks
                taskbridge.cluster.enabled=true
                taskbridge.cluster.seed-nodes=127.0.0.1:25520
                """);
        assertThatThrownBy(() -> Worker.start(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("taskbridge.worker.database.url is jdbc:h2:mem:tasks").hasMessageContaining("PostgreSQL");
        Config none = config("""
                taskbridge.cluster.enabled=true
                taskbridge.cluster.seed-nodes=127.0.0.1:25520
                """);
        assertThatThrownBy(() -> Worker.start(none)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("taskbridge.worker.database.url must name");
    }

    @Test
    void aDatabaseThatCannotBeReachedIsNamedAtOnce() throws Exception {
        Config config = config("""
                taskbridge.worker.database.url=jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2
                taskbridge.cluster.enabled=true
                taskbridge.cluster.seed-nodes=127.0.0.1:25520
                """);
        assertThatThrownBy(() -> Worker.start(config)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot connect to jdbc:postgresql://127.0.0.1:1/none?...")
                .hasMessageNotContaining("connectTimeout");
    }

    @Test
    void aWorkerWhosePluginsProvideNoTypeOfItsRolesIsRefusedItWouldRunNothing() throws Exception {
        Config config = config("""
                taskbridge.worker.database.url=jdbc:postgresql://127.0.0.1:1/none
                taskbridge.cluster.enabled=true
                taskbridge.cluster.seed-nodes=127.0.0.1:25520
                taskbridge.cluster.roles=reports
                """);
        assertThatThrownBy(() -> Worker.start(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("would run nothing").hasMessageContaining(HeavyTestType.ID).hasMessageContaining("[reports]");
    }

    @Test
    void aPluginDirectoryThatIsNotThereIsNamed() throws Exception {
        Config config = config("taskbridge.worker.plugins=" + dir.resolve("nowhere") + "\n");
        assertThatThrownBy(() -> Worker.start(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("taskbridge.worker.plugins").hasMessageContaining("nowhere");
    }

    @Test
    void systemPropertiesOverrideTheFileAndProfilesApply() throws Exception {
        String key = "taskbridge.worker.database.pool-size";
        Config config = config(key + "=5\n%dev.taskbridge.node-name=dev-worker\nmp.config.profile=dev\n");
        assertThat(config.getValue(key, Integer.class)).isEqualTo(5);
        assertThat(config.getValue("taskbridge.node-name", String.class)).isEqualTo("dev-worker");
        System.setProperty(key, "7");
        try {
            assertThat(config(key + "=5\n").getValue(key, Integer.class)).isEqualTo(7);
        } finally {
            System.clearProperty(key);
        }
    }
}
