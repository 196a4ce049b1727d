package dev.taskbridge.engine.slot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntPredicate;

import dev.taskbridge.engine.slot.Slot.QueuedTask;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link Slot.State} on its {@link TaskQueue} against the list-based state it replaced
 * ({@link ListState}, its code as it was): random sequences of hand-overs (new UUID ids, other ids,
 * ids it holds again, newer and older generations of them, repeats within one hand-over), ends of
 * the head's run, and ends of runs in the middle of the queue, from a start that may hold an id
 * twice (as an old snapshot could). After every step both must hold the same list, the same head
 * and size, and answer every question the slot asks the same way. Hand-overs of up to 300 tasks
 * and starts of up to 600 make queues span several segments.
 */
class TaskQueueModelTest {

    // --- the steps ----------------------------------------------------------------------------

    sealed interface Step {
    }

    /**
     * What one task of a hand-over is: a new id (a UUID, or another id), an id the queue holds,
     * or any id seen so far (it may have left); a held one in its generation moved by {@code change}.
     */
    enum Kind { NEW_UUID, NEW_TEXT, HELD, SEEN, HELD_IN_UPPER_CASE }

    record Pick(Kind kind, long seed, int index, int change) {
    }

    /** @param asOldEvent a single task journaled as {@link Slot.TaskAccepted}, as old journals hold them */
    record HandOver(List<Pick> picks, boolean asOldEvent) implements Step {
    }

    record EndOfHead(int change) implements Step {
    }

    /** The run of a queued task ends (cancelled, skipped): an entry leaves from wherever it is. */
    record EndOfEntry(int index, int change) implements Step {
    }

    /** A run ends for a task seen before, which may have left or never been here in that generation. */
    record EndOfSeen(int index, int generation) implements Step {
    }

    @Provide
    Arbitrary<Pick> picks() {
        Arbitrary<Kind> kind = Arbitraries.frequency(Tuple.of(6, Kind.NEW_UUID), Tuple.of(2, Kind.NEW_TEXT),
                Tuple.of(3, Kind.HELD), Tuple.of(2, Kind.SEEN), Tuple.of(1, Kind.HELD_IN_UPPER_CASE));
        return Combinators.combine(kind, Arbitraries.longs(), Arbitraries.integers().between(0, 10_000),
                Arbitraries.integers().between(-1, 2)).as(Pick::new);
    }

    @Provide
    Arbitrary<List<Step>> sequences() {
        Arbitrary<List<Pick>> handOver = Arbitraries.frequencyOf(
                Tuple.of(8, picks().list().ofMinSize(1).ofMaxSize(6)),
                Tuple.of(1, picks().list().ofMinSize(100).ofMaxSize(300)));
        Arbitrary<Integer> index = Arbitraries.integers().between(0, 10_000);
        Arbitrary<Integer> change = Arbitraries.integers().between(-1, 1);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(6, Combinators.combine(handOver, Arbitraries.of(false, false, false, true))
                        .as((picks, old) -> new HandOver(old ? picks.subList(0, 1) : picks, old))),
                Tuple.of(4, change.map(EndOfHead::new)),
                Tuple.of(3, Combinators.combine(index, change).as(EndOfEntry::new)),
                Tuple.of(1, Combinators.combine(index, Arbitraries.integers().between(0, 3)).as(EndOfSeen::new)));
        return step.list().ofMinSize(1).ofMaxSize(30);
    }

    @Provide
    Arbitrary<List<QueuedTask>> starts() {
        Arbitrary<String> id = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.longs().tuple2().map(halves -> new UUID(halves.get1(), halves.get2()).toString())),
                Tuple.of(2, Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(4)),
                Tuple.of(1, Arbitraries.of("a", "b", "t1"))); // repeats: a start may hold an id twice
        Arbitrary<QueuedTask> task = Combinators.combine(id, Arbitraries.integers().between(0, 3)).as(QueuedTask::new);
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(List.of())),
                Tuple.of(3, task.list().ofMaxSize(8)),
                Tuple.of(1, task.list().ofMinSize(250).ofMaxSize(600)));
    }

    @Property(tries = 1000)
    void theCompactQueueAnswersAsTheListItReplaced(@ForAll("starts") List<QueuedTask> anyStart,
                                                   @ForAll("sequences") List<Step> steps,
                                                   @ForAll boolean withPriorities) {
        Priorities priorities = new Priorities(withPriorities);
        List<QueuedTask> start = anyStart.stream().map(priorities::of).toList();
        ListState model = ListState.of(start);
        Slot.State state = new Slot.State(start);
        Set<String> seen = new LinkedHashSet<>();
        start.forEach(task -> seen.add(task.taskId()));
        assertSame(state, model, List.copyOf(seen));
        for (Step step : steps) {
            List<String> asked = new ArrayList<>();
            if (step instanceof HandOver handOver) {
                // now and then a hand-over names another priority than the one a task waits under:
                // a snapshot of a version without priorities holds every task under the usual one
                int skew = handOver.picks().size() % 4 == 3 ? 3 : 0;
                List<QueuedTask> tasks = resolve(handOver.picks(), model, List.copyOf(seen)).stream()
                        .map(priorities::of)
                        .map(task -> new QueuedTask(task.taskId(), task.generation(), task.priority() + skew, task.orderKey())).toList();
                assertThat(state.notHeld(tasks)).as("not held of %s", tasks).isEqualTo(model.notHeld(tasks));
                Slot.Event event = handOver.asOldEvent() && tasks.get(0).priority() == 0
                        ? new Slot.TaskAccepted(tasks.get(0).taskId(), tasks.get(0).generation())
                        : new Slot.TasksAccepted(tasks);
                state = state.after(event);
                model = model.after(event);
                tasks.forEach(task -> {
                    seen.add(task.taskId());
                    asked.add(task.taskId());
                });
            } else if (step instanceof EndOfHead end && !model.queue().isEmpty()) {
                QueuedTask head = model.queue().get(0);
                Slot.Event event = new Slot.TaskSucceeded(head.taskId(), Math.max(0, head.generation() + end.change()));
                state = state.after(event);
                model = model.after(event);
                asked.add(head.taskId());
            } else if (step instanceof EndOfEntry end && !model.queue().isEmpty()) {
                QueuedTask entry = model.queue().get(end.index() % model.queue().size());
                Slot.Event event = new Slot.TaskCancelled(entry.taskId(), Math.max(0, entry.generation() + end.change()));
                state = state.after(event);
                model = model.after(event);
                asked.add(entry.taskId());
            } else if (step instanceof EndOfSeen end && !seen.isEmpty()) {
                String id = List.copyOf(seen).get(end.index() % seen.size());
                Slot.Event event = new Slot.TaskSkipped(id, end.generation());
                state = state.after(event);
                model = model.after(event);
                asked.add(id);
            }
            asked.addAll(sample(List.copyOf(seen), steps.size() + asked.size()));
            assertSame(state, model, asked);
        }
    }

    /** The tasks of a hand-over, resolved against what the queue holds now. */
    private static List<QueuedTask> resolve(List<Pick> picks, ListState model, List<String> seen) {
        List<QueuedTask> queue = model.queue();
        List<QueuedTask> tasks = new ArrayList<>();
        for (Pick pick : picks) {
            int generation = Math.max(0, pick.change() + 1);
            switch (pick.kind()) {
                case NEW_UUID -> tasks.add(new QueuedTask(new UUID(pick.seed(), pick.seed() * 31 + pick.index()).toString(), generation));
                case NEW_TEXT -> tasks.add(new QueuedTask("t" + Long.toHexString(pick.seed() & 0xffff), generation));
                case HELD -> {
                    if (!queue.isEmpty()) {
                        QueuedTask held = queue.get(pick.index() % queue.size());
                        tasks.add(new QueuedTask(held.taskId(), Math.max(0, held.generation() + pick.change())));
                    }
                }
                case SEEN -> {
                    if (!seen.isEmpty()) {
                        tasks.add(new QueuedTask(seen.get(pick.index() % seen.size()), generation));
                    }
                }
                case HELD_IN_UPPER_CASE -> {
                    if (!queue.isEmpty()) {
                        QueuedTask held = queue.get(pick.index() % queue.size());
                        tasks.add(new QueuedTask(held.taskId().toUpperCase(Locale.ROOT), held.generation() + 1));
                    }
                }
            }
        }
        if (tasks.isEmpty()) {
            tasks.add(new QueuedTask("fallback", 0));
        }
        return tasks;
    }

    /** A few ids seen so far, spread over them: checking all of them after every step would make the test slow. */
    private static List<String> sample(List<String> seen, int salt) {
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < Math.min(12, seen.size()); i++) {
            picked.add(seen.get(Math.floorMod(salt * 7919 + i * 104_729, seen.size())));
        }
        return picked;
    }

    private static void assertSame(Slot.State state, ListState model, List<String> ids) {
        List<QueuedTask> expected = model.queue();
        assertThat(state.queue()).isEqualTo(expected);
        assertThat(state.size()).isEqualTo(expected.size());
        assertThat(state.isIdle()).isEqualTo(expected.isEmpty());
        assertThat(state.head()).isEqualTo(model.head());
        Slot.State rebuilt = new Slot.State(expected);
        assertThat(state).isEqualTo(rebuilt);
        assertThat(state.hashCode()).isEqualTo(rebuilt.hashCode());
        assertThat(state.view().waiting()).isEqualTo(expected.stream().skip(1).map(QueuedTask::taskId).toList());
        for (int count : new int[] {0, 1, 5, TaskQueue.SEGMENT_CAPACITY + 3}) {
            assertThat(state.first(count)).as("the first %s", count)
                    .isEqualTo(expected.subList(0, Math.min(count, expected.size())));
        }
        for (String id : ids) {
            assertThat(state.generationOf(id)).as("generation of %s", id).isEqualTo(model.generationOf(id));
            for (int generation = 0; generation <= 4; generation++) {
                int upTo = generation;
                assertThat(state.holdsUpTo(id, generation)).as("holds %s up to %d", id, generation)
                        .isEqualTo(model.holdsUpTo(id, generation));
                assertThat(state.headIs(id, held -> held <= upTo)).isEqualTo(model.headIs(id, held -> held <= upTo));
            }
        }
    }

    @Example
    void canonicalUuidsAreStoredAsTheirBitsAndComeBackAsTheSameString() {
        String id = UUID.randomUUID().toString();
        TaskQueue.StoredId stored = TaskQueue.StoredId.of(id);
        assertThat(stored.text()).isNull();
        assertThat(new UUID(stored.mostSignificant(), stored.leastSignificant()).toString()).isEqualTo(id);
        assertThat(TaskQueue.of(List.of(new QueuedTask(id, 3))).head()).isEqualTo(new QueuedTask(id, 3));
    }

    @Example
    void idsThatAreNotCanonicalUuidsStayText() {
        for (String id : List.of("a", "t1", UUID.randomUUID().toString().toUpperCase(Locale.ROOT),
                "0000000-00000-0000-0000-000000000000", "00000000-0000-0000-0000-00000000000g",
                "00000000+0000-0000-0000-000000000000", "{00000000-0000-0000-0000-000000000000}")) {
            assertThat(TaskQueue.StoredId.of(id).text()).as(id).isEqualTo(id);
        }
    }

    @Example
    void appendingAndTakingTheHeadAcrossManySegmentsKeepsTheOrder() {
        Slot.State state = Slot.State.EMPTY;
        List<QueuedTask> expected = new ArrayList<>();
        for (int i = 0; i < 3 * TaskQueue.SEGMENT_CAPACITY + 17; i++) {
            QueuedTask task = new QueuedTask(i % 5 == 0 ? "text-" + i : UUID.randomUUID().toString(), i % 3);
            state = state.after(new Slot.TasksAccepted(List.of(task)));
            expected.add(task);
        }
        assertThat(state.queue()).isEqualTo(expected);
        while (!expected.isEmpty()) {
            QueuedTask head = expected.remove(0);
            state = state.after(new Slot.TaskSucceeded(head.taskId(), head.generation()));
            assertThat(state.head()).isEqualTo(expected.isEmpty() ? null : expected.get(0));
        }
        assertThat(state).isEqualTo(Slot.State.EMPTY);
    }

    /**
     * Every id's priority and order key, fixed as a task's are when it is submitted: all 0 and none
     * (as before priorities and keys existed), or one of three priorities and, for some, one of
     * two keys, by the id.
     */
    record Priorities(boolean varied) {

        QueuedTask of(QueuedTask task) {
            int hash = task.taskId().hashCode();
            String orderKey = varied && Math.floorMod(hash >> 4, 3) < 2 ? "key-" + Math.floorMod(hash >> 8, 2) : null;
            return new QueuedTask(task.taskId(), task.generation(), varied ? Math.floorMod(hash, 3) - 1 : 0, orderKey);
        }
    }

    @Example
    void higherPrioritiesStartFirstAndEachPriorityKeepsTheOrderOfAcceptance() {
        QueuedTask low = new QueuedTask("low", 0, -1);
        QueuedTask normal = new QueuedTask("normal", 0);
        QueuedTask urgent = new QueuedTask("urgent", 0, 5);
        QueuedTask urgentToo = new QueuedTask("urgent-too", 1, 5);
        Slot.State state = Slot.State.EMPTY
                .after(new Slot.TasksAccepted(List.of(low, normal)))
                .after(new Slot.TasksAccepted(List.of(urgent)))
                .after(new Slot.TasksAccepted(List.of(new QueuedTask("normal-too", 0), urgentToo)));

        assertThat(state.queue()).extracting(QueuedTask::taskId)
                .containsExactly("urgent", "urgent-too", "normal", "normal-too", "low");
        assertThat(state.head()).isEqualTo(urgent);
        state = state.after(new Slot.RunsEnded(List.of(new QueuedTask("urgent", 0), new QueuedTask("low", 0))));
        assertThat(state.queue()).extracting(QueuedTask::taskId).containsExactly("urgent-too", "normal", "normal-too");
        assertThat(state.head()).isEqualTo(urgentToo);
        assertThat(state.after(new Slot.TaskCancelled("urgent-too", 1)).head()).isEqualTo(normal);
    }

    @Example
    void aTaskHandedOverUnderAnotherPriorityThanItWaitsUnderKeepsItsPlaceAndIsNotHeldTwice() {
        // as after a snapshot written by a version without priorities: every task under the usual one
        Slot.State state = new Slot.State(List.of(new QueuedTask("a", 0), new QueuedTask("b", 0), new QueuedTask("u", 0, 9)));
        QueuedTask again = new QueuedTask("b", 0, 5);
        QueuedTask retried = new QueuedTask("a", 1, 5);

        assertThat(state.notHeld(List.of(again, retried))).containsExactly(retried);
        Slot.State after = state.after(new Slot.TasksAccepted(List.of(again, retried, new QueuedTask("c", 0, 5))));

        assertThat(after.queue()).containsExactly(new QueuedTask("u", 0, 9), new QueuedTask("c", 0, 5),
                new QueuedTask("a", 1), new QueuedTask("b", 0));
        assertThat(after.after(new Slot.TaskCancelled("a", 1)).holdsUpTo("a", 1)).isFalse();
    }

    // --- the model: the list-based state as it was before TaskQueue --------------------------

    /**
     * {@code Slot.State} as a record of a {@code List<QueuedTask>}, its methods as they were,
     * with one change for priorities: a new task goes behind the last task of its priority or a
     * higher one, not at the end.
     */
    record ListState(List<QueuedTask> queue) {

        /** A snapshot's list: what it holds, higher priorities first, each in its order. */
        static ListState of(List<QueuedTask> tasks) {
            return new ListState(tasks.stream()
                    .sorted(java.util.Comparator.comparingInt(QueuedTask::priority).reversed()).toList());
        }

        List<QueuedTask> notHeld(List<QueuedTask> handedOver) {
            Map<String, Integer> held = new HashMap<>();
            for (QueuedTask queued : queue) {
                held.put(queued.taskId(), queued.generation());
            }
            return handedOver.stream().filter(task -> held.getOrDefault(task.taskId(), -1) < task.generation()).toList();
        }

        boolean holdsUpTo(String taskId, int generation) {
            return queue.stream().anyMatch(queued -> queued.is(taskId, held -> held <= generation));
        }

        /** The generation of the task's first entry, or -1. */
        int generationOf(String taskId) {
            return queue.stream().filter(queued -> queued.taskId().equals(taskId)).mapToInt(QueuedTask::generation)
                    .findFirst().orElse(-1);
        }

        QueuedTask head() {
            return queue.isEmpty() ? null : queue.get(0);
        }

        boolean headIs(String taskId, IntPredicate generations) {
            return !queue.isEmpty() && queue.get(0).is(taskId, generations);
        }

        ListState accept(List<QueuedTask> accepted) {
            Map<String, Integer> added = new HashMap<>();
            for (QueuedTask task : accepted) {
                added.merge(task.taskId(), task.generation(), Math::max);
            }
            List<QueuedTask> more = new ArrayList<>(queue.size() + added.size());
            for (QueuedTask queued : queue) {
                Integer newer = added.remove(queued.taskId());
                more.add(newer == null ? queued
                        : new QueuedTask(queued.taskId(), Math.max(newer, queued.generation()), queued.priority(), queued.orderKey()));
            }
            for (QueuedTask task : accepted) {
                Integer generation = added.remove(task.taskId());
                if (generation != null) {
                    int at = more.size();
                    while (at > 0 && more.get(at - 1).priority() < task.priority()) {
                        at--;
                    }
                    more.add(at, new QueuedTask(task.taskId(), generation, task.priority(), task.orderKey()));
                }
            }
            return new ListState(List.copyOf(more));
        }

        ListState remove(String taskId, int generation) {
            if (headIs(taskId, held -> held <= generation)) {
                return new ListState(queue.subList(1, queue.size()));
            }
            List<QueuedTask> kept = queue.stream().filter(queued -> !queued.is(taskId, held -> held <= generation)).toList();
            return kept.size() == queue.size() ? this : new ListState(kept);
        }

        ListState after(Slot.Event event) {
            if (event instanceof Slot.TasksAccepted accepted) {
                return accept(accepted.keysKnown() ? accepted.tasks() : QueuedTask.keysNotKnown(accepted.tasks()));
            } else if (event instanceof Slot.TaskAccepted accepted) {
                return accept(List.of(new QueuedTask(accepted.taskId(), accepted.generation()).keyNotKnownIfNone()));
            } else if (event instanceof Slot.RunEnded ended) {
                return remove(ended.taskId(), ended.generation());
            }
            return this;
        }
    }
}
