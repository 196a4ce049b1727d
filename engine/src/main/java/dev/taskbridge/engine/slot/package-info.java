/**
 * The worker slot: an event-sourced actor that runs the tasks routed to it one at a time, in
 * arrival order, and resumes its unfinished work from its journal after any restart.
 */
package dev.taskbridge.engine.slot;
