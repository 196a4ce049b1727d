package dev.taskbridge.web;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How many bytes of large request bodies the server handles at once. A large body (an upload of
 * a file) is read whole and then parsed into several times its size; without a bound, 32 clerks
 * uploading 20 MiB files at the same moment filled a 1 GiB heap within seconds and left the
 * server half-dead (bench/hostile-load.sh). Each large body takes room for its declared length
 * (the most a body may be when it declares none) until its request is over, waiting its turn for
 * a while when the room is taken; one that does not get it in time is turned away with a
 * Retry-After, and nothing of it is read. Small bodies, the API's everyday requests, do not ask.
 *
 * <p>Waiters are served in order of arrival, so a large body is not passed over forever by
 * smaller ones. Thread-safe.
 */
final class BodyBudget {

    /** Bodies up to this size do not ask for room. */
    static final long SMALL_BODY_BYTES = 256 * 1024;

    private final long capacityKib;
    private final long largestKib;
    private final Duration wait;
    private final Semaphore room;

    /**
     * @param capacity bytes of large bodies handled at once, at least {@code largest}
     * @param largest  the most a body may be, taken for a body that declares no length
     * @param wait     how long a body waits for room before it is turned away
     */
    BodyBudget(long capacity, long largest, Duration wait) {
        if (capacity < largest) {
            throw new IllegalArgumentException("a budget of " + capacity + " bytes cannot hold one body of " + largest);
        }
        this.capacityKib = kib(capacity);
        this.largestKib = kib(largest);
        this.wait = wait;
        this.room = new Semaphore(Math.toIntExact(capacityKib), true);
    }

    /**
     * The budget for a server whose heap is {@code maxHeap}: a thirty-second of it, and room for one
     * body at least. A 20 MiB file costs several times its size while it is read, decoded and
     * parsed: with a sixteenth (three such files at once on 1 GiB), bench/hostile-load.sh still
     * saw the old generation reach 1,000 MiB and three full collections; with a thirty-second
     * (one at a time, and smaller files beside it), 489 MiB and none.
     */
    static BodyBudget forHeap(long maxHeap, long largest, Duration wait) {
        return new BodyBudget(Math.max(largest, maxHeap / 32), largest, wait);
    }

    /**
     * Room for a body of {@code declaredLength} bytes ({@code -1}: not declared), held until the
     * returned ticket is closed; empty when there was no room within the wait. A small body gets a
     * ticket that holds nothing.
     */
    Optional<Ticket> enter(long declaredLength) throws InterruptedException {
        if (declaredLength >= 0 && declaredLength <= SMALL_BODY_BYTES) {
            return Optional.of(new Ticket(0));
        }
        int kib = Math.toIntExact(declaredLength < 0 ? largestKib : Math.min(kib(declaredLength), largestKib));
        if (!room.tryAcquire(kib, wait.toMillis(), TimeUnit.MILLISECONDS)) {
            return Optional.empty();
        }
        return Optional.of(new Ticket(kib));
    }

    /** Seconds a turned-away client should wait before it tries again. */
    long retryAfterSeconds() {
        return Math.max(1, wait.toSeconds());
    }

    /** Bytes of room free now, rounded down to KiB. */
    long freeBytes() {
        return room.availablePermits() * 1024L;
    }

    long capacityBytes() {
        return capacityKib * 1024;
    }

    private static long kib(long bytes) {
        return (bytes + 1023) / 1024;
    }

    /** Room held for one body; closing it gives the room back, once. */
    final class Ticket implements AutoCloseable {

        private int kib;

        private Ticket(int kib) {
            this.kib = kib;
        }

        @Override
        public void close() {
            if (kib > 0) {
                room.release(kib);
                kib = 0;
            }
        }
    }
}
