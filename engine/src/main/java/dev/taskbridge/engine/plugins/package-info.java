/**
 * Finds task-type plugins with {@link java.util.ServiceLoader} and keeps them by id.
 */
package dev.taskbridge.engine.plugins;
