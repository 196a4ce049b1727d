package dev.taskbridge.engine.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class ConsistentHashRingTest {

    private static final int KEYS = 10_000;

    @Test
    void theSameKeyAlwaysReachesTheSameSlotAlsoOnANewRing() {
        ConsistentHashRing ring = new ConsistentHashRing(10);
        ConsistentHashRing rebuilt = new ConsistentHashRing(10);
        for (int i = 0; i < KEYS; i++) {
            String key = UUID.nameUUIDFromBytes(("task-" + i).getBytes(StandardCharsets.UTF_8)).toString();
            int slot = ring.slotFor(key);
            assertThat(ring.slotFor(key)).isEqualTo(slot);
            assertThat(rebuilt.slotFor(key)).isEqualTo(slot);
        }
    }

    @Test
    void slotsAreStableAcrossJvmsBecauseTheHashIsFixed() {
        // Reference values of MurmurHash3 x86_32 with seed 0: a ring built anywhere agrees with these.
        assertThat(ConsistentHashRing.murmur3("")).isEqualTo(0);
        assertThat(ConsistentHashRing.murmur3("hello")).isEqualTo(0x248bfa47);
        assertThat(ConsistentHashRing.murmur3("The quick brown fox jumps over the lazy dog")).isEqualTo(0x2e4ff723);
    }

    @Test
    void keysSpreadEvenlyOverTheSlots() {
        ConsistentHashRing ring = new ConsistentHashRing(10);
        int[] perSlot = new int[10];
        for (int i = 0; i < KEYS; i++) {
            perSlot[ring.slotFor(UUID.randomUUID().toString())]++;
        }
        for (int count : perSlot) {
            assertThat(count).isBetween(KEYS / 10 * 7 / 10, KEYS / 10 * 13 / 10);
        }
    }

    @Test
    void addingASlotMovesOnlyTheKeysTheNewSlotTakes() {
        ConsistentHashRing ten = new ConsistentHashRing(10);
        ConsistentHashRing eleven = new ConsistentHashRing(11);
        Map<Integer, Integer> movedTo = new HashMap<>();
        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            String key = "task-" + i;
            int before = ten.slotFor(key);
            int after = eleven.slotFor(key);
            if (before != after) {
                moved++;
                movedTo.merge(after, 1, Integer::sum);
            }
        }
        assertThat(movedTo.keySet()).containsExactly(10);
        assertThat(moved).isBetween(KEYS / 11 / 2, KEYS / 11 * 2);
    }

    @Test
    void aRingWithOneSlotSendsEverythingThere() {
        ConsistentHashRing ring = new ConsistentHashRing(1);
        assertThat(ring.slotFor("anything")).isZero();
        assertThat(ring.slotFor("")).isZero();
    }

    @Test
    void aRingNeedsSlots() {
        assertThatThrownBy(() -> new ConsistentHashRing(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a ring needs at least one slot, got 0");
    }
}
