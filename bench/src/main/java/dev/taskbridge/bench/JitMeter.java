package dev.taskbridge.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * How much of a stretch of time this JVM's JIT compilers spent compiling. On 2 cores the C2
 * compiler of a JVM full of Pekko, Slick and Scala code goes on for minutes, and while it does it
 * takes a core's worth of CPU from what is measured: a profile of a run with a 30-second
 * warm-up found the compiler threads in more than half of the JVM's CPU samples. Warm-ups
 * therefore last until compiling has levelled off, not for a fixed time.
 */
public final class JitMeter {

    /** Compiling below this share of a warm-up cycle's wall time counts as levelled off. */
    public static final double SETTLED_SHARE = 0.05;

    private static final CompilationMXBean COMPILER = ManagementFactory.getCompilationMXBean();

    private final long wallNanos = System.nanoTime();
    private final long compileMillis = compileMillis();

    private JitMeter() {
    }

    /** Starts measuring now. */
    public static JitMeter start() {
        return new JitMeter();
    }

    /**
     * Time the compilers spent since the start, as a share of the wall time since then (summed over
     * compiler threads, so it can exceed 1), or NaN where the JVM does not measure it.
     */
    public double share() {
        if (compileMillis < 0) {
            return Double.NaN;
        }
        double wallMillis = (System.nanoTime() - wallNanos) / 1e6;
        return (compileMillis() - compileMillis) / Math.max(1.0, wallMillis);
    }

    /** Whether a {@link #share()} counts as levelled off; an unmeasured one (NaN) does. */
    public static boolean settled(double share) {
        return Double.isNaN(share) || share < SETTLED_SHARE;
    }

    private static long compileMillis() {
        return COMPILER != null && COMPILER.isCompilationTimeMonitoringSupported() ? COMPILER.getTotalCompilationTime() : -1;
    }
}
