package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The build says which Taskbridge this is. */
class BuildInfoTest {

    @Test
    void theEngineKnowsItsVersionAndCommit() {
        BuildInfo build = BuildInfo.current();

        assertThat(build.version()).isEqualTo(System.getProperty("taskbridge.expected.version"));
        // built from this checkout: its commit as the build read it, marked when the tree had changes
        String commit = System.getProperty("taskbridge.expected.commit", "");
        if (commit.isBlank() || commit.startsWith("${")) {
            assertThat(build.commit()).as("built outside git").isEqualTo(BuildInfo.UNKNOWN);
        } else {
            assertThat(commit).matches("[0-9a-f]{10}");
            assertThat(build.commit()).isEqualTo(
                    Boolean.parseBoolean(System.getProperty("taskbridge.expected.dirty")) ? commit + "-dirty" : commit);
        }
        assertThat(build).hasToString(build.version() + " (commit " + build.commit() + ")");
    }
}
