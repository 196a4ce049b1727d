package dev.taskbridge.bridge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import dev.taskbridge.engine.EngineSettings;
import dev.taskbridge.plugin.TaskType;
import dev.taskbridge.settings.TaskbridgeSettings;
import org.eclipse.microprofile.config.Config;

/**
 * The deployment's settings, read once from MicroProfile Config when it starts: the engine's, as
 * {@link TaskbridgeSettings} reads them for a server and a worker alike, and the two only a server has.
 *
 * @param dataSource JNDI name of the datasource holding tasks and the journal
 * @param engine     the engine's settings
 * @param tracing    whether tasks are traced: MicroProfile Telemetry's one switch, {@link #TRACING}
 */
public record BridgeSettings(String dataSource, EngineSettings engine, boolean tracing) {

    /**
     * The directory plugin jars are dropped into while the server runs (note 043): by default
     * {@code taskbridge-plugins} in the server's base directory (beside {@code deployments}),
     * {@value #OFF} for none.
     */
    public static final String PLUGIN_DIRECTORY = TaskbridgeSettings.PREFIX + "plugins.directory";
    public static final String OFF = "off";
    /** How often the plugin directory is read, in milliseconds. */
    public static final String PLUGIN_DIRECTORY_LOOKS = TaskbridgeSettings.PREFIX + "plugins.look-every-ms";
    static final Duration DEFAULT_PLUGIN_DIRECTORY_LOOKS = Duration.ofSeconds(2);

    public static final String DATASOURCE = TaskbridgeSettings.PREFIX + "datasource";
    public static final String DEFAULT_DATASOURCE = "java:jboss/datasources/TaskbridgeDS";

    /**
     * MicroProfile Telemetry's switch, true by default: tasks are traced when it is false. WildFly 39
     * creates and samples spans even while it is true (it exports none), so the engine reads it
     * itself rather than trusting every span it is given: off, no trace id is stored or shown.
     */
    public static final String TRACING = "otel.sdk.disabled";

    /** Reads every setting, falling back to the named defaults. */
    public static BridgeSettings from(Config config, Iterable<? extends TaskType<?>> taskTypes) {
        return new BridgeSettings(config.getOptionalValue(DATASOURCE, String.class).orElse(DEFAULT_DATASOURCE),
                TaskbridgeSettings.engine(config, taskTypes), !config.getOptionalValue(TRACING, Boolean.class).orElse(true));
    }

    /** The plugin directory, or none when it is {@value #OFF}, or when there is no server base directory to default to. */
    public static Optional<Path> pluginDirectory(Config config) {
        Optional<String> set = config.getOptionalValue(PLUGIN_DIRECTORY, String.class).map(String::strip);
        if (set.isPresent()) {
            return set.get().equalsIgnoreCase(OFF) ? Optional.empty() : Optional.of(Path.of(set.get()));
        }
        return Optional.ofNullable(System.getProperty("jboss.server.base.dir")).map(base -> Path.of(base, "taskbridge-plugins"));
    }

    /** How often the plugin directory is read. */
    public static Duration pluginDirectoryLooks(Config config) {
        long millis = config.getOptionalValue(PLUGIN_DIRECTORY_LOOKS, Long.class).orElse(DEFAULT_PLUGIN_DIRECTORY_LOOKS.toMillis());
        if (millis < 100) {
            throw new IllegalArgumentException(PLUGIN_DIRECTORY_LOOKS + " must be at least 100 (ms), not " + millis);
        }
        return Duration.ofMillis(millis);
    }
}
