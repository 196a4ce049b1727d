/**
 * The worker slot: an event-sourced actor that runs the tasks routed to it in arrival order,
 * one at a time unless its task type allows more at once, and resumes its unfinished work from
 * its journal after any restart.
 */
package dev.taskbridge.engine.slot;
