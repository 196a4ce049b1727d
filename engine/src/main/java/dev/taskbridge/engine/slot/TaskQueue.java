package dev.taskbridge.engine.slot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.IntPredicate;

import dev.taskbridge.engine.slot.Slot.QueuedTask;

/**
 * A slot's queue as its state holds it: immutable, compact, and cheap to change at its ends.
 *
 * <p><b>Compact</b>: task ids in production are canonical lowercase UUID strings, which cost 84
 * bytes each as {@code String}s in a list; here such an id is two {@code long}s next to its
 * generation's {@code int} (20 bytes). Any other id (the tests' "a", "t1", an id in upper case) is
 * kept as its text, in an array that only segments holding such ids have. An entry becomes a
 * {@link QueuedTask} again only when one is asked for (the head, a snapshot, a view).
 *
 * <p><b>Immutable</b>: Pekko serializes a snapshot of the state on another thread while the slot
 * goes on, and the slot computes the state an event leads to before it persists the event, so no
 * array reachable from a queue is ever written after the queue is built. Changes share what they
 * do not touch: the queue is a list of segments of at most {@value #SEGMENT_CAPACITY} entries.
 * Appending copies the last segment and the array of segment references (not the queue);
 * removing the head moves an offset (and drops a segment once it is used up); removing an entry
 * from the middle, or raising a waiting task's generation, rebuilds one segment.
 *
 * <p><b>Lookups</b> scan the primitive arrays; they allocate nothing in proportion to the queue.
 * A hand-over of k tasks is looked up in one pass over the queue, through a small hash table of
 * the k ids.
 *
 * <p>The queue may hold an id more than once only if it was built so (a snapshot of an old
 * version); every operation then answers as the list-based state before it did, which
 * {@code TaskQueueModelTest} checks against such a list.
 */
final class TaskQueue {

    /** Entries per segment: what an append copies, against one reference per segment it copies too. */
    static final int SEGMENT_CAPACITY = 256;

    static final TaskQueue EMPTY = new TaskQueue(new Segment[0], 0, 0);

    private final Segment[] segments;
    /** Entries of the first segment before this one have left the queue. */
    private final int headOffset;
    private final int size;

    private TaskQueue(Segment[] segments, int headOffset, int size) {
        this.segments = segments;
        this.headOffset = headOffset;
        this.size = size;
    }

    /** The queue of these tasks, in this order, as they are (an id that appears twice stays twice). */
    static TaskQueue of(List<QueuedTask> tasks) {
        if (tasks.isEmpty()) {
            return EMPTY;
        }
        SegmentBuilder built = new SegmentBuilder(tasks.size());
        for (QueuedTask task : tasks) {
            built.add(StoredId.of(task.taskId()), task.generation(), task.orderKey());
        }
        return new TaskQueue(built.segments().toArray(Segment[]::new), 0, tasks.size());
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The first task, or null. */
    QueuedTask head() {
        return size == 0 ? null : segments[0].task(headOffset);
    }

    /** The first task's generation; the queue must not be empty. */
    int headGeneration() {
        return segments[0].generations[headOffset];
    }

    /** Every task, oldest first, unmodifiable: for snapshots and views, not for the slot's steps. */
    List<QueuedTask> toList() {
        List<QueuedTask> tasks = new ArrayList<>(size);
        for (int s = 0; s < segments.length; s++) {
            Segment segment = segments[s];
            for (int at = firstOffset(s); at < segment.length(); at++) {
                tasks.add(segment.task(at));
            }
        }
        return Collections.unmodifiableList(tasks);
    }

    /** The first {@code count} tasks (fewer if it holds fewer), oldest first: what the slot's runner works through. */
    List<QueuedTask> first(int count) {
        List<QueuedTask> tasks = new ArrayList<>(Math.min(count, size));
        for (int s = 0; s < segments.length && tasks.size() < count; s++) {
            Segment segment = segments[s];
            for (int at = firstOffset(s); at < segment.length() && tasks.size() < count; at++) {
                tasks.add(segment.task(at));
            }
        }
        return Collections.unmodifiableList(tasks);
    }

    /** The ids behind the head, in order. */
    List<String> idsAfterHead() {
        List<String> ids = new ArrayList<>(Math.max(0, size - 1));
        for (int s = 0; s < segments.length; s++) {
            Segment segment = segments[s];
            for (int at = s == 0 ? headOffset + 1 : 0; at < segment.length(); at++) {
                ids.add(segment.idAt(at));
            }
        }
        return ids;
    }

    /** The generation of the first entry of that task, or -1 when the queue does not hold it. */
    int generationOf(String taskId) {
        StoredId id = StoredId.of(taskId);
        for (int s = 0; s < segments.length; s++) {
            Segment segment = segments[s];
            for (int at = firstOffset(s); at < segment.length(); at++) {
                if (segment.is(at, id)) {
                    return segment.generations[at];
                }
            }
        }
        return -1;
    }

    /** Whether an entry of that task is in a generation that {@code generations} takes. */
    boolean holds(String taskId, IntPredicate generations) {
        StoredId id = StoredId.of(taskId);
        for (int s = 0; s < segments.length; s++) {
            Segment segment = segments[s];
            for (int at = firstOffset(s); at < segment.length(); at++) {
                if (segment.is(at, id) && generations.test(segment.generations[at])) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The queue without its first entry. */
    TaskQueue withoutHead() {
        if (size <= 1) {
            return EMPTY;
        }
        int next = headOffset + 1;
        if (next < segments[0].length()) {
            return new TaskQueue(segments, next, size - 1);
        }
        return new TaskQueue(Arrays.copyOfRange(segments, 1, segments.length), 0, size - 1);
    }

    /** The queue without every entry of that task whose generation {@code generations} takes; this queue if there is none. */
    TaskQueue without(String taskId, IntPredicate generations) {
        StoredId id = StoredId.of(taskId);
        int firstSegment = -1;
        int firstAt = -1;
        int found = 0;
        for (int s = 0; s < segments.length; s++) {
            Segment segment = segments[s];
            for (int at = firstOffset(s); at < segment.length(); at++) {
                if (segment.is(at, id) && generations.test(segment.generations[at])) {
                    if (found++ == 0) {
                        firstSegment = s;
                        firstAt = at;
                    }
                }
            }
        }
        if (found == 0) {
            return this;
        }
        if (found == 1) {
            return withoutEntry(firstSegment, firstAt);
        }
        // only a queue that holds an id twice (an old snapshot's) gets here: rebuild it whole
        SegmentBuilder kept = new SegmentBuilder(size - found);
        for (int s = 0; s < segments.length; s++) {
            Segment segment = segments[s];
            for (int at = firstOffset(s); at < segment.length(); at++) {
                if (!(segment.is(at, id) && generations.test(segment.generations[at]))) {
                    kept.add(segment, at);
                }
            }
        }
        return new TaskQueue(kept.segments().toArray(Segment[]::new), 0, size - found);
    }

    /**
     * The tasks of a hand-over that the queue does not hold in their generation or a later one,
     * judged by the last entry of each id, as the list-based state judged them.
     */
    List<QueuedTask> notHeld(List<QueuedTask> handedOver) {
        if (handedOver.isEmpty()) {
            return List.of();
        }
        HandOver handOver = new HandOver(handedOver);
        locate(handOver);
        List<QueuedTask> fresh = new ArrayList<>(handedOver.size());
        for (int i = 0; i < handedOver.size(); i++) {
            QueuedTask task = handedOver.get(i);
            int distinct = handOver.distinctOf[i];
            int held = handOver.lastSegment[distinct] < 0 ? -1
                    : segments[handOver.lastSegment[distinct]].generations[handOver.lastAt[distinct]];
            if (held < task.generation()) {
                fresh.add(task);
            }
        }
        return List.copyOf(fresh);
    }

    /**
     * The queue with these tasks added at its end, each once, in the order of its first
     * appearance and in the newest generation the hand-over names; a task the queue holds keeps
     * its place (its first entry), in the newer generation if the hand-over names a newer one.
     */
    TaskQueue accept(List<QueuedTask> accepted) {
        if (accepted.isEmpty()) {
            return this;
        }
        HandOver handOver = new HandOver(accepted);
        locate(handOver);
        int[][] raisedGenerations = null;
        int added = 0;
        for (int d = 0; d < handOver.distinct; d++) {
            int s = handOver.firstSegment[d];
            if (s < 0) {
                added++;
                continue;
            }
            int at = handOver.firstAt[d];
            if (handOver.newestGeneration[d] > segments[s].generations[at]) {
                if (raisedGenerations == null) {
                    raisedGenerations = new int[segments.length][];
                }
                if (raisedGenerations[s] == null) {
                    raisedGenerations[s] = segments[s].generations.clone();
                }
                raisedGenerations[s][at] = handOver.newestGeneration[d];
            }
        }
        Segment[] kept = segments;
        if (raisedGenerations != null) {
            kept = segments.clone();
            for (int s = 0; s < kept.length; s++) {
                if (raisedGenerations[s] != null) {
                    kept[s] = kept[s].withGenerations(raisedGenerations[s]);
                }
            }
        }
        if (added == 0) {
            return kept == segments ? this : new TaskQueue(kept, headOffset, size);
        }
        // the last segment, if it has room, is copied with the new entries; the rest go into new segments
        int last = kept.length - 1;
        boolean refillLast = last >= 0 && kept[last].length() - firstOffset(last) < SEGMENT_CAPACITY;
        int carried = refillLast ? kept[last].length() - firstOffset(last) : 0;
        SegmentBuilder tail = new SegmentBuilder(carried + added);
        if (refillLast) {
            tail.addAll(kept[last], firstOffset(last), kept[last].length());
        }
        for (int d = 0; d < handOver.distinct; d++) {
            if (handOver.firstSegment[d] < 0) {
                tail.add(handOver.ids[d], handOver.newestGeneration[d], handOver.orderKeys[d]);
            }
        }
        List<Segment> tailSegments = tail.segments();
        int keptSegments = refillLast ? last : kept.length;
        Segment[] joined = Arrays.copyOf(kept, keptSegments + tailSegments.size());
        for (int i = 0; i < tailSegments.size(); i++) {
            joined[keptSegments + i] = tailSegments.get(i);
        }
        // a refilled first segment leaves its used-up entries behind
        int offset = refillLast && last == 0 ? 0 : headOffset;
        return new TaskQueue(joined, offset, size + added);
    }

    /**
     * The queue with the tasks of a hand-over that it holds raised to the newest generation the
     * hand-over names for them (in place, as {@link #accept} raises them), and {@code held[i]} set
     * for every task {@code i} of the hand-over whose id it holds; this queue if it raises none.
     * One pass over the queue: for a slot that keeps its tasks in one queue per priority, which
     * asks every queue whether it holds a task before it adds it to one.
     */
    TaskQueue raiseHeld(List<QueuedTask> handedOver, boolean[] held) {
        if (handedOver.isEmpty() || size == 0) {
            return this;
        }
        HandOver handOver = new HandOver(handedOver);
        locate(handOver);
        Segment[] raised = null;
        for (int i = 0; i < handedOver.size(); i++) {
            int d = handOver.distinctOf[i];
            int s = handOver.firstSegment[d];
            if (s < 0) {
                continue;
            }
            held[i] = true;
            int at = handOver.firstAt[d];
            Segment segment = raised == null ? segments[s] : raised[s];
            if (handOver.newestGeneration[d] > segment.generations[at]) {
                if (raised == null) {
                    raised = segments.clone();
                    segment = raised[s];
                }
                if (segment == segments[s]) {
                    raised[s] = segment.withGenerations(segment.generations.clone());
                }
                raised[s].generations[at] = handOver.newestGeneration[d];
            }
        }
        return raised == null ? this : new TaskQueue(raised, headOffset, size);
    }

    /** Rebuilds the one segment that held the entry, joined with the next one if both fit in one. */
    private TaskQueue withoutEntry(int s, int at) {
        if (s == 0 && at == headOffset) {
            return withoutHead();
        }
        Segment segment = segments[s];
        int from = firstOffset(s);
        int left = segment.length() - from - 1;
        boolean joinNext = s + 1 < segments.length && left + segments[s + 1].length() <= SEGMENT_CAPACITY;
        SegmentBuilder rebuilt = new SegmentBuilder(left + (joinNext ? segments[s + 1].length() : 0));
        rebuilt.addAll(segment, from, at);
        rebuilt.addAll(segment, at + 1, segment.length());
        if (joinNext) {
            rebuilt.addAll(segments[s + 1], 0, segments[s + 1].length());
        }
        List<Segment> replacement = rebuilt.segments();
        int replaced = joinNext ? 2 : 1;
        Segment[] changed = new Segment[segments.length - replaced + replacement.size()];
        System.arraycopy(segments, 0, changed, 0, s);
        for (int i = 0; i < replacement.size(); i++) {
            changed[s + i] = replacement.get(i);
        }
        System.arraycopy(segments, s + replaced, changed, s + replacement.size(), segments.length - s - replaced);
        return new TaskQueue(changed, s == 0 ? 0 : headOffset, size - 1);
    }

    /** Finds, in one pass over the queue, the first and last entry of every distinct id of a hand-over. */
    private void locate(HandOver handOver) {
        if (handOver.distinct == 1 && handOver.ids[0].text() == null) {
            locateOneUuid(handOver);
            return;
        }
        for (int s = 0; s < segments.length; s++) {
            Segment segment = segments[s];
            boolean textsHere = segment.texts != null;
            if (!textsHere && !handOver.hasUuids) {
                continue;
            }
            for (int at = firstOffset(s); at < segment.length(); at++) {
                String text = textsHere ? segment.texts[at] : null;
                int d = text != null ? handOver.find(text)
                        : handOver.hasUuids ? handOver.find(segment.uuidBits[2 * at], segment.uuidBits[2 * at + 1]) : -1;
                if (d >= 0) {
                    if (handOver.firstSegment[d] < 0) {
                        handOver.firstSegment[d] = s;
                        handOver.firstAt[d] = at;
                    }
                    handOver.lastSegment[d] = s;
                    handOver.lastAt[d] = at;
                }
            }
        }
    }

    /** The commonest hand-over, one new task, without the table: the scan compares longs and nothing else. */
    private void locateOneUuid(HandOver handOver) {
        long mostSignificant = handOver.ids[0].mostSignificant();
        long leastSignificant = handOver.ids[0].leastSignificant();
        for (int s = 0; s < segments.length; s++) {
            long[] bits = segments[s].uuidBits;
            String[] texts = segments[s].texts;
            for (int at = firstOffset(s), end = segments[s].length(); at < end; at++) {
                if (bits[2 * at] == mostSignificant && bits[2 * at + 1] == leastSignificant && (texts == null || texts[at] == null)) {
                    if (handOver.firstSegment[0] < 0) {
                        handOver.firstSegment[0] = s;
                        handOver.firstAt[0] = at;
                    }
                    handOver.lastSegment[0] = s;
                    handOver.lastAt[0] = at;
                }
            }
        }
    }

    private int firstOffset(int segment) {
        return segment == 0 ? headOffset : 0;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof TaskQueue that) || size != that.size) {
            return false;
        }
        int thatSegment = 0;
        int thatAt = that.headOffset;
        for (int s = 0; s < segments.length; s++) {
            Segment segment = segments[s];
            for (int at = firstOffset(s); at < segment.length(); at++) {
                if (thatAt == that.segments[thatSegment].length()) {
                    thatSegment++;
                    thatAt = 0;
                }
                if (!segment.sameEntry(at, that.segments[thatSegment], thatAt)) {
                    return false;
                }
                thatAt++;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (int s = 0; s < segments.length; s++) {
            Segment segment = segments[s];
            for (int at = firstOffset(s); at < segment.length(); at++) {
                hash = 31 * hash + segment.entryHash(at);
            }
        }
        return hash;
    }

    @Override
    public String toString() {
        return toList().toString();
    }

    /**
     * A task id as the queue stores it: a canonical lowercase UUID as its two halves (then
     * {@code text} is null), any other id as its text. Equal ids are always stored alike, so
     * entries compare by what is stored.
     */
    record StoredId(String text, long mostSignificant, long leastSignificant) {

        static StoredId of(String taskId) {
            Objects.requireNonNull(taskId, "taskId");
            if (!isCanonicalUuid(taskId)) {
                return new StoredId(taskId, 0, 0);
            }
            return new StoredId(null,
                    hex(taskId, 0, 8) << 32 | hex(taskId, 9, 13) << 16 | hex(taskId, 14, 18),
                    hex(taskId, 19, 23) << 48 | hex(taskId, 24, 36));
        }

        /** Exactly the form {@link UUID#toString()} writes, so that decoding gives back the same string. */
        static boolean isCanonicalUuid(String id) {
            if (id.length() != 36) {
                return false;
            }
            for (int i = 0; i < 36; i++) {
                char c = id.charAt(i);
                boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-' : c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        private static long hex(String id, int from, int to) {
            long value = 0;
            for (int i = from; i < to; i++) {
                char c = id.charAt(i);
                value = value << 4 | (c <= '9' ? c - '0' : c - 'a' + 10);
            }
            return value;
        }
    }

    /**
     * At most {@value #SEGMENT_CAPACITY} entries, never written after it is built. Entry {@code i}
     * is a UUID in {@code uuidBits[2i], uuidBits[2i+1]} unless {@code texts[i]} holds its id;
     * {@code texts} is null when every id of the segment is a UUID. {@code orderKeys[i]} is its
     * task's order key; {@code orderKeys} is null when no task of the segment has one (most).
     */
    private static final class Segment {

        final long[] uuidBits;
        final int[] generations;
        final String[] texts;
        final String[] orderKeys;

        Segment(long[] uuidBits, int[] generations, String[] texts, String[] orderKeys) {
            this.uuidBits = uuidBits;
            this.generations = generations;
            this.texts = texts;
            this.orderKeys = orderKeys;
        }

        int length() {
            return generations.length;
        }

        /** The same ids with other generations: the id arrays are shared, never written. */
        Segment withGenerations(int[] newGenerations) {
            return new Segment(uuidBits, newGenerations, texts, orderKeys);
        }

        String idAt(int at) {
            String text = texts == null ? null : texts[at];
            return text != null ? text : new UUID(uuidBits[2 * at], uuidBits[2 * at + 1]).toString();
        }

        QueuedTask task(int at) {
            return new QueuedTask(idAt(at), generations[at], 0, orderKeyAt(at));
        }

        String orderKeyAt(int at) {
            return orderKeys == null ? null : orderKeys[at];
        }

        boolean is(int at, StoredId id) {
            String text = texts == null ? null : texts[at];
            if (id.text() != null) {
                return id.text().equals(text);
            }
            return text == null && uuidBits[2 * at] == id.mostSignificant() && uuidBits[2 * at + 1] == id.leastSignificant();
        }

        boolean sameEntry(int at, Segment other, int otherAt) {
            if (generations[at] != other.generations[otherAt] || !Objects.equals(orderKeyAt(at), other.orderKeyAt(otherAt))) {
                return false;
            }
            String text = texts == null ? null : texts[at];
            String otherText = other.texts == null ? null : other.texts[otherAt];
            if (text != null || otherText != null) {
                return Objects.equals(text, otherText);
            }
            return uuidBits[2 * at] == other.uuidBits[2 * otherAt] && uuidBits[2 * at + 1] == other.uuidBits[2 * otherAt + 1];
        }

        int entryHash(int at) {
            String text = texts == null ? null : texts[at];
            int idHash = text != null ? text.hashCode() : Long.hashCode(uuidBits[2 * at] ^ uuidBits[2 * at + 1]);
            return 31 * idHash + generations[at];
        }
    }

    /** Fills segments to capacity, each array sized to what it holds. */
    private static final class SegmentBuilder {

        private final List<Segment> built = new ArrayList<>();
        private int remaining;
        private long[] uuidBits;
        private int[] generations;
        private String[] texts;
        private String[] orderKeys;
        private int length;

        /** @param expected entries that will be added: no array is made larger than it needs */
        SegmentBuilder(int expected) {
            this.remaining = expected;
        }

        void add(StoredId id, int generation, String orderKey) {
            int at = slot();
            if (orderKey != null) {
                orderKeys()[at] = orderKey;
            }
            if (id.text() != null) {
                texts()[at] = id.text();
            } else {
                uuidBits[2 * at] = id.mostSignificant();
                uuidBits[2 * at + 1] = id.leastSignificant();
            }
            generations[at] = generation;
        }

        void add(Segment from, int fromAt) {
            int at = slot();
            String text = from.texts == null ? null : from.texts[fromAt];
            if (text != null) {
                texts()[at] = text;
            } else {
                uuidBits[2 * at] = from.uuidBits[2 * fromAt];
                uuidBits[2 * at + 1] = from.uuidBits[2 * fromAt + 1];
            }
            generations[at] = from.generations[fromAt];
            String orderKey = from.orderKeyAt(fromAt);
            if (orderKey != null) {
                orderKeys()[at] = orderKey;
            }
        }

        void addAll(Segment from, int fromAt, int toAt) {
            for (int at = fromAt; at < toAt; at++) {
                add(from, at);
            }
        }

        /** The place of the next entry, in a new segment when the one being filled is full. */
        private int slot() {
            if (generations != null && length == generations.length) {
                flush();
            }
            if (generations == null) {
                int capacity = Math.max(1, Math.min(SEGMENT_CAPACITY, remaining));
                uuidBits = new long[2 * capacity];
                generations = new int[capacity];
            }
            remaining--;
            return length++;
        }

        private String[] texts() {
            if (texts == null) {
                texts = new String[generations.length];
            }
            return texts;
        }

        private String[] orderKeys() {
            if (orderKeys == null) {
                orderKeys = new String[generations.length];
            }
            return orderKeys;
        }

        List<Segment> segments() {
            flush();
            return built;
        }

        private void flush() {
            if (generations == null || length == 0) {
                return;
            }
            built.add(new Segment(
                    length == generations.length ? uuidBits : Arrays.copyOf(uuidBits, 2 * length),
                    length == generations.length ? generations : Arrays.copyOf(generations, length),
                    texts == null ? null : length == texts.length ? texts : Arrays.copyOf(texts, length),
                    orderKeys == null ? null : length == orderKeys.length ? orderKeys : Arrays.copyOf(orderKeys, length)));
            uuidBits = null;
            generations = null;
            texts = null;
            orderKeys = null;
            length = 0;
        }
    }

    /**
     * The distinct ids of a hand-over, with the newest generation it names for each, in a small
     * open-addressing table (its size follows the hand-over, not the queue) so that one pass over
     * the queue finds them all.
     */
    private static final class HandOver {

        final StoredId[] ids;
        final int[] newestGeneration;
        /** The order key of each distinct id (a task's key never changes, so its first appearance's). */
        final String[] orderKeys;
        /** For every task of the hand-over, the index of its id among the distinct ones. */
        final int[] distinctOf;
        final int[] firstSegment;
        final int[] firstAt;
        final int[] lastSegment;
        final int[] lastAt;
        final boolean hasUuids;
        int distinct;
        /** Index + 1 of a distinct id; 0 is an empty place. */
        private final int[] table;
        private final int mask;

        HandOver(List<QueuedTask> tasks) {
            int n = tasks.size();
            ids = new StoredId[n];
            newestGeneration = new int[n];
            orderKeys = new String[n];
            distinctOf = new int[n];
            // a quarter full at most: a miss, by far the commonest probe, mostly ends at its first place
            int tableSize = Integer.highestOneBit(Math.max(4, 4 * n - 1)) << 1;
            table = new int[tableSize];
            mask = tableSize - 1;
            boolean uuids = false;
            for (int i = 0; i < n; i++) {
                QueuedTask task = tasks.get(i);
                StoredId id = StoredId.of(task.taskId());
                int d = id.text() != null ? find(id.text()) : find(id.mostSignificant(), id.leastSignificant());
                if (d < 0) {
                    d = distinct++;
                    ids[d] = id;
                    newestGeneration[d] = task.generation();
                    orderKeys[d] = task.orderKey();
                    insert(d, id);
                    uuids |= id.text() == null;
                } else {
                    newestGeneration[d] = Math.max(newestGeneration[d], task.generation());
                }
                distinctOf[i] = d;
            }
            hasUuids = uuids;
            firstSegment = new int[distinct];
            firstAt = new int[distinct];
            lastSegment = new int[distinct];
            lastAt = new int[distinct];
            Arrays.fill(firstSegment, -1);
            Arrays.fill(lastSegment, -1);
        }

        int find(long mostSignificant, long leastSignificant) {
            for (int place = uuidHash(mostSignificant, leastSignificant) & mask; ; place = (place + 1) & mask) {
                int entry = table[place];
                if (entry == 0) {
                    return -1;
                }
                StoredId id = ids[entry - 1];
                if (id.text() == null && id.mostSignificant() == mostSignificant && id.leastSignificant() == leastSignificant) {
                    return entry - 1;
                }
            }
        }

        int find(String text) {
            for (int place = textHash(text) & mask; ; place = (place + 1) & mask) {
                int entry = table[place];
                if (entry == 0) {
                    return -1;
                }
                if (text.equals(ids[entry - 1].text())) {
                    return entry - 1;
                }
            }
        }

        private void insert(int d, StoredId id) {
            int place = (id.text() != null ? textHash(id.text()) : uuidHash(id.mostSignificant(), id.leastSignificant())) & mask;
            while (table[place] != 0) {
                place = (place + 1) & mask;
            }
            table[place] = d + 1;
        }

        private static int uuidHash(long mostSignificant, long leastSignificant) {
            long mixed = (mostSignificant ^ Long.rotateLeft(leastSignificant, 32)) * 0x9E3779B97F4A7C15L;
            return (int) (mixed >>> 32);
        }

        private static int textHash(String text) {
            return (text.hashCode() * 0x9E3779B9) >>> 7;
        }
    }
}
