package dev.taskbridge.engine;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New task ids: UUIDs whose first 48 bits are the time in milliseconds (the layout of RFC 9562's
 * version 7), so that tasks submitted together sort together.
 *
 * <p>Why not {@link UUID#randomUUID()}: {@code tb_task}'s primary key index is a B-tree, and a
 * random id puts every new task on a random leaf page of it. A batch of submissions then dirties
 * as many index pages as it has tasks, each written whole at the commit: on H2 every commit writes
 * those pages into a new chunk of its file, on PostgreSQL each is a page to keep in memory and,
 * after a checkpoint, a full page image in the WAL. Ids that grow with time go to the index's
 * right edge, a page or two per batch (design note 031 has the measurements).
 *
 * <p>Within one JVM the ids {@link #next()} makes only grow: the 12 bits after the time are a
 * counter (RFC 9562's "fixed bit-length dedicated counter", method 1) that starts at a random value
 * below 2,048 in each new millisecond and counts up within it, carrying into the time when it
 * runs over. So two tasks submitted one after the other sort in that order even within one
 * millisecond, and where the store orders by id (tasks resumed at a start, tasks falling due at
 * the same time) the tasks of one order key keep their order (design note 032).
 *
 * <p>The other 62 bits are random, from a {@link SecureRandom} as {@code randomUUID}'s are: an id
 * tells when its task was submitted (as its row does), but cannot be guessed from another one.
 * Nothing may read meaning into an id beyond that; ids stored before are random UUIDs, and the
 * slot a task goes to is a hash of its id, whatever its shape.
 */
public final class TaskIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TaskIds() {
    }

    /** The last id's millisecond and counter, as {@code millis << 12 | counter}. */
    private static final AtomicLong LAST = new AtomicLong();

    /** A new id, greater than every id this JVM made before. */
    public static String next() {
        return id(nextStamp(System.currentTimeMillis())).toString();
    }

    /** The millisecond and counter of the next id: a later millisecond starts a new count, any other continues it. */
    static long nextStamp(long nowMillis) {
        while (true) {
            long last = LAST.get();
            // a clock set back continues the count too: the ids still grow
            long next = nowMillis > last >>> 12 ? nowMillis << 12 | RANDOM.nextInt(0x800) : last + 1;
            if (LAST.compareAndSet(last, next)) {
                return next;
            }
        }
    }

    /**
     * A new id as {@link #next()} would have made it at {@code epochMillis}, its counter drawn at
     * random: for tests and benches that need the ids of earlier tasks. Ids of one millisecond made
     * so are in no particular order.
     */
    public static UUID next(long epochMillis) {
        return id(epochMillis << 12 | RANDOM.nextInt(0x1000));
    }

    private static UUID id(long stamp) {
        long msb = ((stamp >>> 12) & 0xffff_ffff_ffffL) << 16 | 0x7000L | (stamp & 0xfffL);
        long lsb = RANDOM.nextLong() & 0x3fff_ffff_ffff_ffffL | 0x8000_0000_0000_0000L; // the variant: 10
        return new UUID(msb, lsb);
    }
}
