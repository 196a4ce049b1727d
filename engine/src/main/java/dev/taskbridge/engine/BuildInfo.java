package dev.taskbridge.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import org.slf4j.LoggerFactory;

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

    private static BuildInfo read() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return new BuildInfo(UNKNOWN, UNKNOWN); // classes run from an IDE without the build's resources
            }
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            // what runs where is for operators: not knowing it must never keep the engine from starting
            LoggerFactory.getLogger(BuildInfo.class).warn("The engine's {} could not be read: {}", RESOURCE, e.toString());
            return new BuildInfo(UNKNOWN, UNKNOWN);
        }
        return of(properties);
    }

    /** The build a {@code build.properties} describes, as the engine's jar carries it. */
    public static BuildInfo of(Properties properties) {
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
