package dev.taskbridge.engine.routing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Maps keys to one of a fixed number of slots by consistent hashing with virtual nodes.
 *
 * <p>The ring depends only on the slot count and the number of virtual nodes, and the hash is
 * MurmurHash3 (x86, 32 bit, seed 0) over the key's UTF-8 bytes, so every ring built with the
 * same numbers, in any JVM and after any restart, sends a key to the same slot. Virtual nodes
 * spread keys evenly; when the slot count changes, only about {@code 1/slots} of the keys move.
 * Immutable and safe to share between threads.
 */
public final class ConsistentHashRing {

    /** Points each slot owns on the ring; enough for an even spread over tens of slots. */
    public static final int DEFAULT_VIRTUAL_NODES = 160;

    private final int slots;
    private final int[] points;
    private final int[] owners;

    public ConsistentHashRing(int slots) {
        this(slots, DEFAULT_VIRTUAL_NODES);
    }

    public ConsistentHashRing(int slots, int virtualNodes) {
        if (slots < 1) {
            throw new IllegalArgumentException("a ring needs at least one slot, got " + slots);
        }
        if (virtualNodes < 1) {
            throw new IllegalArgumentException("a ring needs at least one virtual node per slot, got " + virtualNodes);
        }
        this.slots = slots;
        long[] packed = new long[slots * virtualNodes];
        int i = 0;
        for (int slot = 0; slot < slots; slot++) {
            for (int node = 0; node < virtualNodes; node++) {
                int point = murmur3("slot-" + slot + "#" + node);
                // Sort by point, then by slot, so that a collision is resolved the same way everywhere.
                packed[i++] = ((long) point << 32) | slot;
            }
        }
        Arrays.sort(packed);
        this.points = new int[packed.length];
        this.owners = new int[packed.length];
        for (int j = 0; j < packed.length; j++) {
            points[j] = (int) (packed[j] >> 32);
            owners[j] = (int) packed[j];
        }
    }

    /** Number of slots on this ring. */
    public int slots() {
        return slots;
    }

    /** The slot, from 0 to {@code slots() - 1}, that owns this key. */
    public int slotFor(String key) {
        int hash = murmur3(key);
        int index = Arrays.binarySearch(points, hash);
        if (index < 0) {
            index = -index - 1;
        }
        return owners[index == points.length ? 0 : index];
    }

    /** MurmurHash3 x86 32-bit of the UTF-8 bytes of {@code key}, seed 0. */
    static int murmur3(String key) {
        byte[] data = key.getBytes(StandardCharsets.UTF_8);
        final int c1 = 0xcc9e2d51;
        final int c2 = 0x1b873593;
        int h = 0;
        int blocks = data.length / 4;
        for (int b = 0; b < blocks; b++) {
            int i = b * 4;
            int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24;
            k *= c1;
            k = Integer.rotateLeft(k, 15);
            k *= c2;
            h ^= k;
            h = Integer.rotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        int tail = blocks * 4;
        int k = 0;
        switch (data.length & 3) {
            case 3:
                k ^= (data[tail + 2] & 0xff) << 16;
            // fall through
            case 2:
                k ^= (data[tail + 1] & 0xff) << 8;
            // fall through
            case 1:
                k ^= data[tail] & 0xff;
                k *= c1;
                k = Integer.rotateLeft(k, 15);
                k *= c2;
                h ^= k;
            default:
        }
        h ^= data.length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
