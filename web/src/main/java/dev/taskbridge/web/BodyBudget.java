package dev.taskbridge.web;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

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
 * smaller ones. A body holds its room for at most the hold limit: a client that sends a byte
 * every so often (each within the server's read timeout) would otherwise keep every other upload
 * out for as long as it likes. After the limit its room goes to the next body that asks, and its
 * own reads fail ({@link Ticket#overdue()}). Thread-safe.
 */
final class BodyBudget {

    /** Bodies up to this size do not ask for room. */
    static final long SMALL_BODY_BYTES = 256 * 1024;

    private final long capacityKib;
    private final long largestKib;
    private final Duration wait;
    private final Duration holdLimit;
    private final LongSupplier nanoClock;
    private final Semaphore room;
    /** Tickets that hold room, so that an overdue one can be made to give it back. */
    private final Set<Ticket> holding = ConcurrentHashMap.newKeySet();

    /**
     * @param capacity bytes of large bodies handled at once, at least {@code largest}
     * @param largest  the most a body may be, taken for a body that declares no length
     * @param wait     how long a body waits for room before it is turned away
     * @param holdLimit how long a body may hold its room
     * @param nanoClock {@link System#nanoTime}, or a test's clock
     */
    BodyBudget(long capacity, long largest, Duration wait, Duration holdLimit, LongSupplier nanoClock) {
        if (capacity < largest) {
            throw new IllegalArgumentException("a budget of " + capacity + " bytes cannot hold one body of " + largest);
        }
        this.capacityKib = kib(capacity);
        this.largestKib = kib(largest);
        this.wait = wait;
        this.holdLimit = holdLimit;
        this.nanoClock = nanoClock;
        this.room = new Semaphore(Math.toIntExact(capacityKib), true);
    }

    BodyBudget(long capacity, long largest, Duration wait) {
        this(capacity, largest, wait, Duration.ofDays(1), System::nanoTime);
    }

    /**
     * The budget for a server whose heap is {@code maxHeap}: a thirty-second of it, and room for one
     * body at least. A 20 MiB file costs several times its size while it is read, decoded and
     * parsed: with a sixteenth (three such files at once on 1 GiB), bench/hostile-load.sh still
     * saw the old generation reach 1,000 MiB and three full collections; with a thirty-second
     * (one at a time, and smaller files beside it), 489 MiB and none.
     */
    static BodyBudget forHeap(long maxHeap, long largest, Duration wait, Duration holdLimit) {
        return new BodyBudget(Math.max(largest, maxHeap / 32), largest, wait, holdLimit, System::nanoTime);
    }

    /**
     * Room for a body of {@code declaredLength} bytes ({@code -1}: not declared), held until the
     * returned ticket is closed; empty when there was no room within the wait. A small body gets a
     * ticket that holds nothing.
     */
    Optional<Ticket> enter(long declaredLength) throws InterruptedException {
        if (declaredLength >= 0 && declaredLength <= SMALL_BODY_BYTES) {
            return Optional.of(new Ticket(0, Long.MAX_VALUE));
        }
        int kib = Math.toIntExact(declaredLength < 0 ? largestKib : Math.min(kib(declaredLength), largestKib));
        long waitEnds = nanoClock.getAsLong() + wait.toNanos();
        do {
            takeBackOverdueRoom();
            // in slices, so that room an overdue body holds is taken back while this one waits
            long slice = Math.min(TimeUnit.SECONDS.toNanos(1), Math.max(0, waitEnds - nanoClock.getAsLong()));
            if (room.tryAcquire(kib, slice, TimeUnit.NANOSECONDS)) {
                Ticket ticket = new Ticket(kib, nanoClock.getAsLong() + holdLimit.toNanos());
                holding.add(ticket);
                return Optional.of(ticket);
            }
        } while (nanoClock.getAsLong() < waitEnds);
        return Optional.empty();
    }

    private void takeBackOverdueRoom() {
        for (Ticket ticket : holding) {
            if (ticket.overdue()) {
                ticket.close();
            }
        }
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

        private final AtomicInteger kib;
        private final long holdEndsNanos;

        private Ticket(int kib, long holdEndsNanos) {
            this.kib = new AtomicInteger(kib);
            this.holdEndsNanos = holdEndsNanos;
        }

        /** Whether the body has held its room past the hold limit: it is not to be read any further. */
        boolean overdue() {
            return holdEndsNanos != Long.MAX_VALUE && nanoClock.getAsLong() - holdEndsNanos > 0;
        }

        /** @throws BodyOverdueException when the body is {@link #overdue()} */
        void requireInTime() throws BodyOverdueException {
            if (overdue()) {
                throw new BodyOverdueException(holdLimit);
            }
        }

        @Override
        public void close() {
            int held = kib.getAndSet(0);
            if (held > 0) {
                holding.remove(this);
                room.release(held);
            }
        }
    }
}
