package dev.taskbridge.plugin;

/**
 * Turns the payload of a task submitted under one version of a task type into the payload the
 * next version takes (N to N+1): how a plugin that raised its {@link TaskType#version()} resumes
 * the tasks the older version left unfinished, or runs them again when a supervisor retries them.
 * The engine chains them (1 to 2, then 2 to 3) and parses the result with the current
 * {@link TaskType#parse}.
 *
 * <p>Called each time such a task is started or resumed, never stored: it must be deterministic
 * and do no I/O. A task the older version ran part-way keeps the chunks it committed, so the
 * migrated payload must split into the same chunks, chunk k of the old version being chunk k of
 * the new (add an option, rename a field; do not change how the work is cut).
 */
@FunctionalInterface
public interface PayloadMigration {

    /**
     * @param older the payload as stored, with its options
     * @return the payload the next version takes
     * @throws InvalidPayloadException when this stored payload cannot be carried over: the task then
     *                                 fails with that reason, as a payload its version refuses would
     */
    Payload migrate(Payload older) throws InvalidPayloadException;
}
