package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The build says which Taskbridge this is. */
class BuildInfoTest {

    @Test
    void theEngineKnowsItsVersionAndTheCommitOfThisCheckout() {
        String version = System.getProperty("taskbridge.expected.version");
        assumeTrue(version != null, "run by Maven, which says what to expect");
        BuildInfo build = BuildInfo.current();

        assertThat(build.version()).isEqualTo(version);
        String commit = System.getProperty("taskbridge.expected.commit", "");
        boolean inGit = Files.isDirectory(Path.of(System.getProperty("user.dir")).resolveSibling(".git"));
        if (!inGit) {
            assertThat(build.commit()).as("built outside git").isEqualTo(BuildInfo.UNKNOWN);
            return;
        }
        // a checkout: the build must have read its commit, never left it unknown
        assertThat(commit).matches("[0-9a-f]{10,40}");
        assertThat(build.commit()).isEqualTo(
                Boolean.parseBoolean(System.getProperty("taskbridge.expected.dirty")) ? commit + "-dirty" : commit);
    }
}
