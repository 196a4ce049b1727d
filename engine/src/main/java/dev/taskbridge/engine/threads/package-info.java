/**
 * Puts every Pekko dispatcher on threads from a factory the host provides, so that inside an
 * application server the actor system runs on container-managed threads.
 */
package dev.taskbridge.engine.threads;
