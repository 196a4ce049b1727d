package dev.taskbridge.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.taskbridge.engine.slot.Slot;

/**
 * Heap a slot's state costs per queued task: 10,000 tasks handed to each of ten slot states in
 * hand-overs of 100 (as the engine batches them), measured as the live heap they add after full
 * collections. The baseline, measured in the same run, is the ids alone in an array: the one
 * thing a queue of tasks cannot do without.
 *
 * <p>Run: {@code ./mvnw -q install -DskipTests -pl engine -am && ./mvnw -f bench/pom.xml -q package
 * exec:java -Dbench.main=dev.taskbridge.bench.SlotQueueHeap}. Writes
 * {@code bench/results/slot-queue-heap.md}.
 */
public final class SlotQueueHeap {

    private static final int SLOTS = 10;
    private static final int TASKS_PER_SLOT = 10_000;
    private static final int HAND_OVER = 100;
    private static final int REPEATS = 5;

    private SlotQueueHeap() {
    }

    public static void main(String[] args) throws IOException {
        List<Double> perTask = new ArrayList<>();
        List<Double> idsAlone = new ArrayList<>();
        for (int repeat = 0; repeat < REPEATS + 1; repeat++) {
            List<List<String>> ids = newIds();
            double queue = bytesPerTask(() -> queues(ids));
            double alone = bytesPerTask(() -> idArrays(ids));
            if (repeat > 0) { // the first is a warm-up: classes load, the JIT compiles
                perTask.add(queue);
                idsAlone.add(alone);
            }
        }
        Stats queue = Stats.of(perTask);
        Stats alone = Stats.of(idsAlone);
        String report = """
                # Heap per queued task in a slot's state

                Written by `SlotQueueHeap` (bench module); every run overwrites it. %d slot states of %,d
                tasks each (UUID ids, run generation 0), handed over in batches of %d through
                `Slot.State.after(TasksAccepted)`, as the slot's event handler builds them. Live heap after
                full collections, before and after building them; %d runs after a warm-up.

                | measurement | median bytes per task | min | max | ratio to baseline |
                | --- | ---: | ---: | ---: | ---: |
                | baseline: the ids alone, as `String` in an array | %.1f | %.1f | %.1f | 1.00 |
                | a slot's state (`Slot.State`: its queue of `QueuedTask`) | %.1f | %.1f | %.1f | %.2f |

                The target (issue #10) is at most 100 bytes per queued task.

                - date: %s
                - JVM: %s %s, max heap %d MB; compressed oops: %s
                """.formatted(SLOTS, TASKS_PER_SLOT, HAND_OVER, REPEATS,
                alone.median(), alone.min(), alone.max(),
                queue.median(), queue.min(), queue.max(), queue.median() / alone.median(),
                Instant.now(), System.getProperty("java.vm.name"), System.getProperty("java.vm.version"),
                Runtime.getRuntime().maxMemory() / (1024 * 1024), compressedOops());
        System.out.println(report);
        Path results = Path.of(System.getProperty("bench.results", "bench/results/slot-queue-heap.md"));
        Files.createDirectories(results.toAbsolutePath().getParent());
        Files.writeString(results, report);
    }

    private static List<List<String>> newIds() {
        List<List<String>> ids = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            List<String> slotIds = new ArrayList<>(TASKS_PER_SLOT);
            for (int i = 0; i < TASKS_PER_SLOT; i++) {
                slotIds.add(UUID.randomUUID().toString());
            }
            ids.add(slotIds);
        }
        return ids;
    }

    /** The states as slots build them; the ids come in as new strings, as a deserialized hand-over's would. */
    private static Object queues(List<List<String>> ids) {
        Slot.State[] states = new Slot.State[SLOTS];
        for (int slot = 0; slot < SLOTS; slot++) {
            Slot.State state = new Slot.State(List.of());
            List<String> slotIds = ids.get(slot);
            for (int from = 0; from < slotIds.size(); from += HAND_OVER) {
                List<Slot.QueuedTask> handOver = new ArrayList<>(HAND_OVER);
                for (String id : slotIds.subList(from, Math.min(from + HAND_OVER, slotIds.size()))) {
                    handOver.add(new Slot.QueuedTask(new String(id.toCharArray()), 0));
                }
                state = state.after(new Slot.TasksAccepted(handOver));
            }
            states[slot] = state;
        }
        return states;
    }

    private static Object idArrays(List<List<String>> ids) {
        String[][] arrays = new String[SLOTS][];
        for (int slot = 0; slot < SLOTS; slot++) {
            arrays[slot] = ids.get(slot).stream().map(id -> new String(id.toCharArray())).toArray(String[]::new);
        }
        return arrays;
    }

    private static double bytesPerTask(java.util.function.Supplier<Object> build) {
        long before = liveHeap();
        Object built = build.get();
        long after = liveHeap();
        if (built.hashCode() == 42) { // keeps it reachable until measured
            System.out.print("");
        }
        return (after - before) / (double) (SLOTS * TASKS_PER_SLOT);
    }

    private static long liveHeap() {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }

    private static String compressedOops() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:-UseCompressedOops") ? "off" : "on (default)";
    }
}
