package dev.taskbridge.engine;

import java.security.SecureRandom;
import java.util.UUID;

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
 * <p>The other 74 bits are random, from a {@link SecureRandom} as {@code randomUUID}'s are: an id
 * tells when its task was submitted (as its row does), but cannot be guessed from another one.
 * Nothing may read meaning into an id beyond that; ids stored before are random UUIDs, and the
 * slot a task goes to is a hash of its id, whatever its shape.
 */
public final class TaskIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TaskIds() {
    }

    /** A new id. */
    public static String next() {
        return next(System.currentTimeMillis()).toString();
    }

    /**
     * A new id as {@link #next()} would have made it at {@code epochMillis}: for tests and benches
     * that need the ids of earlier tasks.
     */
    public static UUID next(long epochMillis) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        long randA = ((random[0] & 0x0fL) << 8) | (random[1] & 0xffL);
        long msb = (epochMillis & 0xffff_ffff_ffffL) << 16 | 0x7000L | randA;
        long lsb = 0;
        for (int i = 2; i < 10; i++) {
            lsb = (lsb << 8) | (random[i] & 0xffL);
        }
        lsb = (lsb & 0x3fff_ffff_ffff_ffffL) | 0x8000_0000_0000_0000L; // the variant: 10
        return new UUID(msb, lsb);
    }
}
