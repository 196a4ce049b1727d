package dev.taskbridge.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Which Taskbridge this is: the version and the commit it was built from, written into the engine's
 * jar by the build, so that an operator can tell what runs on each node (logs at start, the admin
 * API, health data, the pages' footer).
 *
 * @param version the project's version, e.g. {@code 0.1.0-SNAPSHOT}
 * @param commit  the commit's abbreviated id, with {@code -dirty} when the working tree had
 *                changes not committed; {@code unknown} for a build outside a git checkout
 */
public record BuildInfo(String version, String commit) {

    public static final String UNKNOWN = "unknown";
    private static final String RESOURCE = "build.properties";
    private static final BuildInfo CURRENT = read();

    /** This engine's build. */
    public static BuildInfo current() {
        return CURRENT;
    }

    /** As the footer and the logs say it: {@code 0.1.0-SNAPSHOT (commit 1a2b3c4)}. */
    @Override
    public String toString() {
        return version + " (commit " + commit + ")";
    }

    private static BuildInfo read() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return new BuildInfo(UNKNOWN, UNKNOWN); // classes run from an IDE without the build's resources
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the engine's " + RESOURCE, e);
        }
        String commit = known(properties.getProperty("commit"));
        if (!commit.equals(UNKNOWN) && Boolean.parseBoolean(properties.getProperty("dirty"))) {
            commit += "-dirty";
        }
        return new BuildInfo(known(properties.getProperty("version")), commit);
    }

    /** A value the build filled in, or {@link #UNKNOWN} for one it left a placeholder (no git here). */
    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? UNKNOWN : value.strip();
    }
}
