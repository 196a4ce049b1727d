/**
 * The durable record of every task: its submission (payload, owner, idempotency key) and its
 * status, progress, result and error, as the gateway and the web tier read them.
 */
package dev.taskbridge.engine.store;
