package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskbridge.engine.routing.ConsistentHashRing;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TaskIdsTest {

    @Test
    void anIdIsAVersion7UuidCarryingItsMillisecond() {
        long millis = 1_764_888_000_123L;
        UUID id = TaskIds.next(millis);
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(millis);
        String text = TaskIds.next();
        assertThat(text).hasSize(36).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(UUID.fromString(text).toString()).isEqualTo(text);
    }

    @Test
    void idsOfALaterMillisecondSortAfterAsStringsAsTheIndexSortsThem() {
        for (long millis = 1_764_888_000_000L; millis < 1_764_888_000_000L + 2_000; millis++) {
            assertThat(TaskIds.next(millis).toString()).isLessThan(TaskIds.next(millis + 1).toString());
        }
    }

    /** Tasks submitted one after the other keep that order where the store sorts by id, within one millisecond too (note 032). */
    @Test
    void idsMadeOneAfterAnotherGrowEvenWithinOneMillisecondAndWhenTheClockGoesBack() {
        String before = TaskIds.next();
        for (int i = 0; i < 200_000; i++) { // far more than 4,096 per millisecond: the counter carries into the time
            String id = TaskIds.next();
            assertThat(id).as("id %d", i).isGreaterThan(before);
            before = id;
        }
        long now = System.currentTimeMillis();
        // a millisecond ahead of the last id's (which the loop may have carried past the clock)
        long stamp = TaskIds.nextStamp((TaskIds.nextStamp(now) >>> 12) + 5);
        // greater, not stamp + 1: an engine of another test may still be drawing ids
        assertThat(TaskIds.nextStamp(now)).as("a clock set back continues the count").isGreaterThan(stamp);
        assertThat(stamp & 0xfff).as("a new millisecond's count starts below 2,048, leaving room to count").isLessThan(0x800);
    }

    @Test
    void idsOfOneMillisecondDifferAndSpreadOverSlotsAsRandomOnesDo() {
        // the slot is a hash of the id: ids that share their first 48 bits must still spread evenly
        ConsistentHashRing ring = new ConsistentHashRing(10);
        int[] perSlot = new int[10];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = TaskIds.next(1_764_888_000_000L).toString();
            assertThat(seen.add(id)).as("ids are unique").isTrue();
            perSlot[ring.slotFor(id)]++;
        }
        int[] random = new int[10];
        for (int i = 0; i < 100_000; i++) {
            random[ring.slotFor(UUID.randomUUID().toString())]++;
        }
        for (int slot = 0; slot < 10; slot++) {
            // The ring's own shares differ by slot, so each is compared with random ids' share of the
            // same slot. Two samples of about 10,000 differ by about 1.4 % (one standard deviation):
            // 10 % is seven of them, never reached by chance, while a skew from the shared first 48
            // bits would put most ids in a few slots.
            assertThat((double) perSlot[slot]).as("slot %d: %s against random ids' %s", slot, perSlot[slot], random[slot])
                    .isCloseTo(random[slot], org.assertj.core.data.Percentage.withPercentage(10));
        }
    }
}
