package dev.taskbridge.plugin;

import java.util.Objects;

import javax.sql.DataSource;

/**
 * What the host tells a plugin about where it runs, when it gets ready ({@link TaskType#prepare}).
 *
 * @param profile    the deployment's profile: whether to make demo data, say
 * @param dataSource the datasource the engine keeps its tasks in, the one a chunk's transaction
 *                   commits on: where a plugin's own tables belong, so that its writes commit with
 *                   the chunk's marker
 */
public record PluginEnvironment(Profile profile, DataSource dataSource) {

    public PluginEnvironment {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(dataSource, "dataSource");
    }
}
