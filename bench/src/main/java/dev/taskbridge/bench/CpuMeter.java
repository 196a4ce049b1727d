package dev.taskbridge.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU spent by this JVM and by the whole machine between two samples. On a machine with few
 * cores it tells whether a measurement ran out of CPU (and whose), rather than waited on I/O.
 */
final class CpuMeter {

    private static final Path PROC_STAT = Path.of("/proc/stat");

    /** A point in time: this process's CPU time, and the machine's busy and total ticks (or -1). */
    record Sample(long wallNanos, long processCpuNanos, long machineBusyTicks, long machineTotalTicks) {
    }

    /**
     * @param processCpuSeconds CPU seconds this JVM used (all its threads)
     * @param machineBusy       share of the machine's CPU time that was busy, 0..1, or NaN if unknown
     * @param processShare      share of the machine's CPU capacity this JVM used, 0..1
     */
    record Usage(double processCpuSeconds, double machineBusy, double processShare) {
    }

    private CpuMeter() {
    }

    static Sample sample() {
        long busy = -1;
        long total = -1;
        try {
            String[] fields = Files.readAllLines(PROC_STAT).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
            total = 0;
            for (int i = 1; i <= 8 && i < fields.length; i++) {
                total += Long.parseLong(fields[i]);
            }
            busy = total - idle;
        } catch (IOException | RuntimeException e) {
            // not Linux: machine figures stay unknown
        }
        return new Sample(System.nanoTime(), processCpuNanos(), busy, total);
    }

    static Usage between(Sample from, Sample to) {
        double cpuSeconds = (to.processCpuNanos() - from.processCpuNanos()) / 1e9;
        double wallSeconds = (to.wallNanos() - from.wallNanos()) / 1e9;
        double machineBusy = from.machineTotalTicks() < 0 || to.machineTotalTicks() == from.machineTotalTicks()
                ? Double.NaN
                : (to.machineBusyTicks() - from.machineBusyTicks())
                        / (double) (to.machineTotalTicks() - from.machineTotalTicks());
        double share = cpuSeconds / (wallSeconds * Runtime.getRuntime().availableProcessors());
        return new Usage(cpuSeconds, machineBusy, share);
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
