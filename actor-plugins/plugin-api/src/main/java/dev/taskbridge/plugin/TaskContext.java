package dev.taskbridge.plugin;

import java.util.List;

/**
 * What the engine tells a handler about the task it is running.
 */
public interface TaskContext {

    /** The task's id, stable across retries and restarts. */
    String taskId();

    /** The id of the task type. */
    String taskType();

    /** Who submitted the task. */
    String owner();

    /** 1 on the first run of the current chunk, higher when it is retried. */
    int attempt();

    /**
     * The outcomes of the chunks committed before this one, in chunk order: what a later chunk
     * may build on, such as a first chunk that checks the whole payload. Restored from the
     * journal after a restart, so a chunk sees the same list however often it runs.
     */
    List<ChunkOutcome> committedChunks();
}
