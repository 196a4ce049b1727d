package dev.taskbridge.bench.peers;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * Peak heap in use, peak heap left by a collection, and peak live threads of this JVM. Heap
 * "used" (sampled every 50 ms) includes garbage not yet collected, so it says how much a peer
 * allocates between collections as much as what it keeps; what every collection leaves in use
 * (from the collectors' own notifications, old generation included) says what it keeps.
 */
final class Sampler implements AutoCloseable {

    private static final long PERIOD_MILLIS = 50;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
            .collect(Collectors.toSet());
    private final AtomicLong peakHeap = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();
    private final AtomicInteger peakThreads = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    Sampler() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(this::collected, null, null);
            }
        }
        thread = new Thread(this::loop, "peers-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void collected(Notification notification, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        long afterGc = 0;
        for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
                afterGc += pool.getValue().getUsed();
            }
        }
        peakAfterGc.accumulateAndGet(afterGc, Math::max);
    }

    private void sample() {
        peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        peakThreads.accumulateAndGet(threads.getThreadCount(), Math::max);
    }

    /** Starts the peaks over: the timed round should not carry the warm-up's. */
    void reset() {
        peakHeap.set(0);
        peakAfterGc.set(0);
        peakThreads.set(0);
        sample();
    }

    long peakHeapBytes() {
        sample();
        return peakHeap.get();
    }

    /** The most heap any collection during the round left in use; zero when none ran. */
    long peakAfterGcBytes() {
        return peakAfterGc.get();
    }

    int peakThreads() {
        sample();
        return peakThreads.get();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
