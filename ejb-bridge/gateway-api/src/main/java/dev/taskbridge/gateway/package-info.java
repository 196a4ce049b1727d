/**
 * What the web tier may call: {@link dev.taskbridge.gateway.TaskGateway} and the plain records
 * it returns. No actor types, no Jakarta types: the web tier stays ignorant of how tasks run.
 */
package dev.taskbridge.gateway;
