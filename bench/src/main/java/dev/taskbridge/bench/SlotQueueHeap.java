package dev.taskbridge.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;

import dev.taskbridge.engine.slot.Slot;

/**
 * Heap a slot's state costs per queued task: 10,000 tasks handed to each of ten slot states in
 * hand-overs of 100 (as the engine batches them), measured as the live heap they add after full
 * collections. Two references, measured in the same run: the ids alone as strings in an array,
 * and the list-based state the slot had before its {@code TaskQueue} ({@link ListQueueState}).
 *
 * <p>Then the time the same two states take for a queue's busiest path: 10,000 tasks handed over
 * one at a time (each through {@code after(TasksAccepted)}), then each run ended at the head
 * ({@code after(TaskSucceeded)}), warmed up and alternated in one run.
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
    private static final int TIMED_TASKS = 10_000;
    private static final int TIMING_WARMUPS = 3;

    private SlotQueueHeap() {
    }

    public static void main(String[] args) throws IOException {
        List<Double> perTask = new ArrayList<>();
        List<Double> listPerTask = new ArrayList<>();
        List<Double> idsAlone = new ArrayList<>();
        for (int repeat = 0; repeat < REPEATS + 1; repeat++) {
            List<List<String>> ids = newIds();
            double queue = bytesPerTask(() -> queues(ids));
            double list = bytesPerTask(() -> listQueues(ids));
            double alone = bytesPerTask(() -> idArrays(ids));
            if (repeat > 0) { // the first is a warm-up: classes load, the JIT compiles
                perTask.add(queue);
                listPerTask.add(list);
                idsAlone.add(alone);
            }
        }
        Stats queue = Stats.of(perTask);
        Stats list = Stats.of(listPerTask);
        Stats alone = Stats.of(idsAlone);
        Timings timings = timeOneAtATime();
        String report = """
                # Heap per queued task in a slot's state

                Written by `SlotQueueHeap` (bench module); every run overwrites it. %d slot states of %,d
                tasks each (UUID ids, run generation 0), handed over in batches of %d through
                `after(TasksAccepted)`, as the slot's event handler builds them. Live heap after
                full collections, before and after building them; %d runs after a warm-up.

                | measurement | median bytes per task | min | max | ratio to baseline |
                | --- | ---: | ---: | ---: | ---: |
                | baseline: the ids alone, as `String` in an array | %.1f | %.1f | %.1f | 1.00 |
                | before: the list-based state (a `List<QueuedTask>`, its code kept in the bench) | %.1f | %.1f | %.1f | %.2f |
                | a slot's state (`Slot.State` on its `TaskQueue`) | %.1f | %.1f | %.1f | %.2f |

                The target (issue #10) is at most 100 bytes per queued task.

                ## Time: %,d tasks handed over one at a time, then ended at the head

                The same two states, in the same run: each task handed over alone
                (`after(TasksAccepted)` of one task), then every run ended in order
                (`after(TaskSucceeded)` of the head). Events are built before the clock starts. %d
                alternated warm-up rounds of each, then %d timed rounds of each, alternated; milliseconds.
                The slot's command handler also asks `notHeld` before every hand-over, which is not
                timed here (package-private); before, it built a map of the whole queue, so the real
                gap is larger than this one.

                | phase | before: list-based state (median ms) | `Slot.State` on `TaskQueue` (median ms) | before / after |
                | --- | ---: | ---: | ---: |
                | %,d hand-overs of one task | %.1f (%.1f-%.1f) | %.1f (%.1f-%.1f) | %.2f |
                | %,d ends of the head's run | %.1f (%.1f-%.1f) | %.1f (%.1f-%.1f) | %.2f |

                - date: %s
                - JVM: %s %s, max heap %d MB; compressed oops: %s; %d processors
                """.formatted(SLOTS, TASKS_PER_SLOT, HAND_OVER, REPEATS,
                alone.median(), alone.min(), alone.max(),
                list.median(), list.min(), list.max(), list.median() / alone.median(),
                queue.median(), queue.min(), queue.max(), queue.median() / alone.median(),
                TIMED_TASKS, TIMING_WARMUPS, REPEATS,
                TIMED_TASKS, timings.listAccept().median(), timings.listAccept().min(), timings.listAccept().max(),
                timings.queueAccept().median(), timings.queueAccept().min(), timings.queueAccept().max(),
                timings.listAccept().median() / timings.queueAccept().median(),
                TIMED_TASKS, timings.listRemove().median(), timings.listRemove().min(), timings.listRemove().max(),
                timings.queueRemove().median(), timings.queueRemove().min(), timings.queueRemove().max(),
                timings.listRemove().median() / timings.queueRemove().median(),
                Instant.now(), System.getProperty("java.vm.name"), System.getProperty("java.vm.version"),
                Runtime.getRuntime().maxMemory() / (1024 * 1024), compressedOops(),
                Runtime.getRuntime().availableProcessors());
        System.out.println(report);
        Path results = Path.of(System.getProperty("bench.results", "bench/results/slot-queue-heap.md"));
        Files.createDirectories(results.toAbsolutePath().getParent());
        Files.writeString(results, report);
    }

    private record Timings(Stats listAccept, Stats listRemove, Stats queueAccept, Stats queueRemove) {
    }

    /** Milliseconds of each phase, for each state, over the timed rounds. */
    private static Timings timeOneAtATime() {
        List<Slot.TasksAccepted> handOvers = new ArrayList<>(TIMED_TASKS);
        List<Slot.TaskSucceeded> ends = new ArrayList<>(TIMED_TASKS);
        for (int i = 0; i < TIMED_TASKS; i++) {
            String id = UUID.randomUUID().toString();
            handOvers.add(new Slot.TasksAccepted(List.of(new Slot.QueuedTask(id, 0))));
            ends.add(new Slot.TaskSucceeded(id, 0));
        }
        List<Double> listAccept = new ArrayList<>();
        List<Double> listRemove = new ArrayList<>();
        List<Double> queueAccept = new ArrayList<>();
        List<Double> queueRemove = new ArrayList<>();
        for (int round = 0; round < TIMING_WARMUPS + REPEATS; round++) {
            boolean timed = round >= TIMING_WARMUPS;
            double[] list = timeRound(ListQueueState.EMPTY, ListQueueState::after, handOvers, ends);
            double[] queue = timeRound(new Slot.State(List.of()), Slot.State::after, handOvers, ends);
            if (timed) {
                listAccept.add(list[0]);
                listRemove.add(list[1]);
                queueAccept.add(queue[0]);
                queueRemove.add(queue[1]);
            }
        }
        return new Timings(Stats.of(listAccept), Stats.of(listRemove), Stats.of(queueAccept), Stats.of(queueRemove));
    }

    /** @return milliseconds of the hand-overs, then of the ends */
    private static <S> double[] timeRound(S empty, BiFunction<S, Slot.Event, S> after,
                                          List<Slot.TasksAccepted> handOvers, List<Slot.TaskSucceeded> ends) {
        S state = empty;
        long started = System.nanoTime();
        for (Slot.TasksAccepted handOver : handOvers) {
            state = after.apply(state, handOver);
        }
        long accepted = System.nanoTime();
        for (Slot.TaskSucceeded end : ends) {
            state = after.apply(state, end);
        }
        long ended = System.nanoTime();
        if (!state.equals(empty)) {
            throw new IllegalStateException("the queue should be empty again: " + state);
        }
        return new double[] {(accepted - started) / 1e6, (ended - accepted) / 1e6};
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
        return handedOver(ids, new Slot.State(List.of()), Slot.State::after);
    }

    /** The same hand-overs into the list-based state the slot had before. */
    private static Object listQueues(List<List<String>> ids) {
        return handedOver(ids, ListQueueState.EMPTY, ListQueueState::after);
    }

    /** One state per slot, each built from {@code empty} by its ids' hand-overs of {@value #HAND_OVER}. */
    private static <S> Object handedOver(List<List<String>> ids, S empty, BiFunction<S, Slot.Event, S> after) {
        Object[] states = new Object[SLOTS];
        for (int slot = 0; slot < SLOTS; slot++) {
            S state = empty;
            List<String> slotIds = ids.get(slot);
            for (int from = 0; from < slotIds.size(); from += HAND_OVER) {
                List<Slot.QueuedTask> handOver = new ArrayList<>(HAND_OVER);
                for (String id : slotIds.subList(from, Math.min(from + HAND_OVER, slotIds.size()))) {
                    handOver.add(new Slot.QueuedTask(new String(id.toCharArray()), 0));
                }
                state = after.apply(state, new Slot.TasksAccepted(handOver));
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
