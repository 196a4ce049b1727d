package dev.taskbridge.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Median, minimum and maximum of a few repetitions: with three runs on a shared machine the
 * median is the figure to quote and the range says how much to trust it.
 */
record Stats(double median, double min, double max) {

    static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        double median = sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Stats(median, sorted[0], sorted[sorted.length - 1]);
    }

    Stats dividedBy(double divisor) {
        return new Stats(median / divisor, min / divisor, max / divisor);
    }
}
