package dev.taskbridge.bench.peers;

/**
 * What every benchmark task carries: which round and which step of which key it is, and when the
 * client began to submit it ({@link System#nanoTime()}: client and workers share one JVM).
 */
record TaskRef(int round, int key, int step, long submitNanos) {

    /** A name unique within a run, for libraries that want one per task. */
    String id() {
        return round + "-" + key + "-" + step;
    }

    /** Compact text for libraries that store task data as strings. */
    String encode() {
        return round + ":" + key + ":" + step + ":" + submitNanos;
    }

    static TaskRef decode(String text) {
        String[] parts = text.split(":");
        if (parts.length != 4) {
            throw new IllegalArgumentException("not a task reference: " + text);
        }
        return new TaskRef(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]),
                Long.parseLong(parts[3]));
    }
}
