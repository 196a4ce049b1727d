package dev.taskbridge.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.taskbridge.engine.slot.Slot;
import dev.taskbridge.engine.slot.Slot.QueuedTask;

/**
 * A slot's state as it was before its queue became a {@code TaskQueue} (commit e988bf5): a record
 * of a {@code List<QueuedTask>}, with its event handler's code unchanged. Kept here only so that
 * {@link SlotQueueHeap} measures before and after in one run.
 */
record ListQueueState(List<QueuedTask> queue) {

    static final ListQueueState EMPTY = new ListQueueState(List.of());

    ListQueueState after(Slot.Event event) {
        if (event instanceof Slot.TasksAccepted accepted) {
            return accept(accepted.tasks());
        } else if (event instanceof Slot.TaskAccepted accepted) {
            return accept(List.of(new QueuedTask(accepted.taskId(), accepted.generation())));
        } else if (event instanceof Slot.RunEnded ended) {
            return remove(ended.taskId(), ended.generation());
        }
        return this;
    }

    private ListQueueState accept(List<QueuedTask> accepted) {
        Map<String, Integer> added = new HashMap<>();
        for (QueuedTask task : accepted) {
            added.merge(task.taskId(), task.generation(), Math::max);
        }
        List<QueuedTask> more = new ArrayList<>(queue.size() + added.size());
        for (QueuedTask queued : queue) {
            Integer newer = added.remove(queued.taskId());
            more.add(newer == null ? queued : new QueuedTask(queued.taskId(), Math.max(newer, queued.generation())));
        }
        for (QueuedTask task : accepted) {
            Integer generation = added.remove(task.taskId());
            if (generation != null) {
                more.add(new QueuedTask(task.taskId(), generation));
            }
        }
        return new ListQueueState(List.copyOf(more));
    }

    private ListQueueState remove(String taskId, int generation) {
        if (!queue.isEmpty() && queue.get(0).taskId().equals(taskId) && queue.get(0).generation() <= generation) {
            return new ListQueueState(queue.subList(1, queue.size()));
        }
        List<QueuedTask> kept = queue.stream()
                .filter(queued -> !(queued.taskId().equals(taskId) && queued.generation() <= generation)).toList();
        return kept.size() == queue.size() ? this : new ListQueueState(kept);
    }
}
