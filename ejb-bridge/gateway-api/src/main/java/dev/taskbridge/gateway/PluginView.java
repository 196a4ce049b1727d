package dev.taskbridge.gateway;

/**
 * The jar a task type's plugin came from.
 *
 * @param taskType    the task type's id
 * @param typeVersion the task type's version (what its tasks are stored under)
 * @param pluginClass the class that implements it
 * @param jar         the jar's file name, or {@code unknown}
 * @param jarVersion  the version the jar declares (manifest, else Maven's pom.properties), or {@code unknown}
 * @param checksum    SHA-256 of the jar's entries (names and contents in name order): the same on
 *                    two nodes means the same plugin; {@code unknown} when the jar could not be read
 */
public record PluginView(String taskType, int typeVersion, String pluginClass, String jar, String jarVersion,
                         String checksum) {
}
