/**
 * MicroProfile Health checks over the task gateway: readiness follows the engine and its
 * database, liveness the actor system. In the EAR's lib/, where WildFly looks for checks.
 */
package dev.taskbridge.health;
