/**
 * The contract between Taskbridge and a task-type plugin.
 *
 * <p>A plugin is a jar with a {@link dev.taskbridge.plugin.TaskType} implementation registered in
 * {@code META-INF/services/dev.taskbridge.plugin.TaskType}. It knows nothing of the actor runtime:
 * it parses and validates its payload, splits the work into chunks and runs one chunk at a time.
 * This package depends on the JDK only, so plugins compile and test without a server.
 */
package dev.taskbridge.plugin;
