package dev.taskbridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployCheckTest {

    /** A type of version 3 that runs tasks of version 2 and 3 only, as PayloadMigrations would say it. */
    private static final PluginType ROWS = new PluginType("rows", 3,
            version -> version >= 2 && version <= 3 ? Optional.empty() : Optional.of("no migration from version " + version));

    @Test
    void anEarThatRunsEveryUnfinishedVersionPasses() {
        assertThat(DeployCheck.refusals(Map.of("rows", ROWS), List.of(),
                List.of(new Unfinished("rows", 2, 4, List.of("a", "b", "c", "d")), new Unfinished("rows", 3, 1, List.of("e"))))).isEmpty();
    }

    @Test
    void aVersionTheEarCannotRunIsRefusedWithItsCountAndSomeIds() {
        List<String> refusals = DeployCheck.refusals(Map.of("rows", ROWS), List.of(),
                List.of(new Unfinished("rows", 1, 7, List.of("a", "b", "c", "d", "e")), new Unfinished("rows", 3, 1, List.of("f"))));
        assertThat(refusals).singleElement().asString()
                .isEqualTo("rows: no migration from version 1; the server has 7 unfinished task(s) of version 1: a, b, c, d, e, ...");
    }

    @Test
    void aTypeTheEarLacksIsRefusedAndOneWithoutUnfinishedTasksIsNot() {
        List<String> refusals = DeployCheck.refusals(Map.of(), List.of(),
                List.of(new Unfinished("ledger.post", 2, 1, List.of("x"))));
        assertThat(refusals).singleElement().asString()
                .isEqualTo("ledger.post: the EAR has no plugin for this type; its 1 unfinished task(s) of version 2 would wait for one: x");
        assertThat(DeployCheck.refusals(Map.of(), List.of(), List.of())).isEmpty();
    }

    @Test
    void aPluginTheEngineWouldSkipIsRefusedEvenWithNothingUnfinished() {
        assertThat(DeployCheck.refusals(Map.of("rows", ROWS), List.of("Skipped task type plugin com.example.Broken: ..."), List.of()))
                .singleElement().asString().contains("would report at start").contains("com.example.Broken");
    }

    @Test
    void aPluginJarIsAskedOnlyAboutItsOwnTypesAndRefusedForTheEarsOrForNotLoadingWhole() {
        DirectoryPlugin jar = new DirectoryPlugin("rows.jar", "c0ffee", Map.of("rows", ROWS), List.of());
        List<Unfinished> unfinished = List.of(new Unfinished("rows", 1, 2, List.of("a", "b")), new Unfinished("ledger.post", 1, 1, List.of("x")));

        assertThat(DeployCheck.pluginRefusals(jar, Set.of("ledger.post"), unfinished)).as("the EAR's type is the EAR's business")
                .containsExactly("rows: no migration from version 1; the server has 2 unfinished task(s) of version 1: a, b");
        assertThat(DeployCheck.pluginRefusals(jar, Set.of("ledger.post"), List.of(new Unfinished("rows", 2, 1, List.of("c"))))).isEmpty();
        assertThat(DeployCheck.pluginRefusals(jar, Set.of("rows"), List.of())).containsExactly(
                "rows: the EAR gives this type; a plugin in the EAR is replaced by deploying the EAR");
        DirectoryPlugin broken = new DirectoryPlugin("broken.jar", "c0ffee", Map.of(), List.of("broken.jar: a task type plugin could not be loaded: x"));
        assertThat(DeployCheck.pluginRefusals(broken, Set.of(), List.of())).containsExactly(
                "the server would not load it: broken.jar: a task type plugin could not be loaded: x");
        DirectoryPlugin empty = new DirectoryPlugin("empty.jar", "c0ffee", Map.of(), List.of());
        assertThat(DeployCheck.pluginRefusals(empty, Set.of(), List.of())).singleElement().asString()
                .startsWith("empty.jar gives no task type the server would run");
    }

    @Test
    void aPluginJarNeedsTheEarTheServerRunsAndGoesToTheDefaultDirectory(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("rows-2.jar"), "not a zip");
        Path ear = Files.writeString(dir.resolve("taskbridge.ear"), "not a zip");
        Map<String, String> home = Map.of("JBOSS_HOME", dir.toString());

        assertThatThrownBy(() -> DeployCommand.Options.parse(List.of(jar.toString()), home)).hasMessageContaining("give --ear");
        assertThatThrownBy(() -> DeployCommand.Options.parse(List.of("--ear", ear.toString(), ear.toString()), home))
                .hasMessageContaining("are for a plugin jar");
        assertThatThrownBy(() -> DeployCommand.Options.parse(List.of("--wait", "5", ear.toString()), home))
                .hasMessageContaining("are for a plugin jar");
        assertThatThrownBy(() -> DeployCommand.Options.parse(List.of("--ear", ear.toString(), "--wait", "0", jar.toString()), home))
                .hasMessageContaining("--wait 0: seconds");
        DeployCommand.Options options = DeployCommand.Options.parse(List.of("--ear", ear.toString(), jar.toString()), home);
        assertThat(options.plugin()).isEqualTo(jar);
        assertThat(options.ear()).isEqualTo(ear);
        assertThat(options.pluginDirectory()).isEqualTo(dir.resolve("standalone/taskbridge-plugins"));

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(DeployCommand.run(List.of("--ear", ear.toString(), jar.toString()), home, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(DeployCommand.CANNOT_CHECK);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("taskbridge-plugins is no directory").contains("is not deployed");
    }

    @Test
    void anAnswerThatIsNotTheListIsSaidSo() {
        assertThatThrownBy(() -> ServerApi.parse("<html>log in</html>")).hasMessageContaining("is not the list of unfinished tasks");
        assertThatThrownBy(() -> ServerApi.parse("[{\"taskType\":\"x\"}]")).hasMessageContaining("is not the list of unfinished tasks");
    }

    @Test
    void theServersListIsReadAsTheRestApiWritesIt() {
        assertThat(ServerApi.parse("[{\"firstIds\":[\"a\",\"b\"],\"taskType\":\"it.rows\",\"tasks\":12,\"version\":1}]"))
                .containsExactly(new Unfinished("it.rows", 1, 12, List.of("a", "b")));
    }

    @Test
    void wrongUseIsToldWithTheUsageAndChecksNothing(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DeployCommand.run(List.of(dir.resolve("missing.ear").toString()), Map.of("JBOSS_HOME", dir.toString()),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(DeployCommand.CANNOT_CHECK);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing.ear: no such file").contains("usage:");

        Path ear = Files.writeString(dir.resolve("taskbridge.ear"), "not a zip");
        assertThatThrownBy(() -> DeployCommand.Options.parse(List.of(ear.toString()), Map.of()))
                .hasMessageContaining("--wildfly-home");
        ByteArrayOutputStream noPassword = new ByteArrayOutputStream();
        assertThat(DeployCommand.run(List.of("--check-only", ear.toString()), Map.of("JBOSS_HOME", dir.toString()),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(noPassword, true, StandardCharsets.UTF_8)))
                .isEqualTo(DeployCommand.CANNOT_CHECK);
        assertThat(noPassword.toString(StandardCharsets.UTF_8)).contains("set TASKBRIDGE_DEPLOY_PASSWORD").contains("is not deployed");
        assertThatThrownBy(() -> DeployCommand.Options.parse(List.of("--url"), Map.of())).hasMessageContaining("--url needs a value");
        assertThatThrownBy(() -> DeployCommand.Options.parse(List.of("--name", "my app.ear --force", ear.toString()), Map.of("JBOSS_HOME", "/x")))
                .hasMessageContaining("a deployment's name is");
    }
}
