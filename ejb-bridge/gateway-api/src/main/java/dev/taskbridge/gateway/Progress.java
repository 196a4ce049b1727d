package dev.taskbridge.gateway;

/**
 * How far a task got.
 *
 * @param chunksDone  chunks committed
 * @param chunksTotal chunks in the task, 0 until it starts
 * @param itemsDone   items handled successfully
 * @param itemsFailed items rejected
 */
public record Progress(int chunksDone, int chunksTotal, long itemsDone, long itemsFailed) {

    public static final Progress NONE = new Progress(0, 0, 0, 0);

    /** Fraction of chunks done, 0 to 1. */
    public double fraction() {
        return chunksTotal == 0 ? 0.0 : (double) chunksDone / chunksTotal;
    }
}
