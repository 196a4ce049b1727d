/**
 * Which slot serves a task: a consistent-hash ring per task type, and the one interface through
 * which the engine reaches a slot, so that cluster sharding can later replace local actors.
 */
package dev.taskbridge.engine.routing;
