package dev.taskbridge.bench.peers;

import java.util.Arrays;

/** Nearest-rank percentiles over every recorded value: at these counts sorting them all is cheap and exact. */
final class Percentiles {

    private Percentiles() {
    }

    /** @return the p-th percentile (0-100) of the values, in milliseconds; NaN when there are none */
    static double millis(long[] nanos, double p) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }
}
