package dev.taskbridge.bridge;

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
}
