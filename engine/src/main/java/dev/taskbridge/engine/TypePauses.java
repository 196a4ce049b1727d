package dev.taskbridge.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.taskbridge.engine.store.PausedTypes;
import dev.taskbridge.engine.store.TypePause;

/**
 * The paused task types as the runners ask for them, on every step: a copy of
 * {@code tb_type_pause} (the pause's home), read at start and changed only through
 * {@link #pause} and {@link #resume}, which write the table first.
 */
final class TypePauses {

    private final PausedTypes store;
    private volatile Map<String, TypePause> paused;

    TypePauses(PausedTypes store) {
        this.store = store;
        this.paused = Map.copyOf(store.all());
    }

    boolean isPaused(String taskType) {
        return paused.containsKey(taskType);
    }

    Optional<TypePause> of(String taskType) {
        return Optional.ofNullable(paused.get(taskType));
    }

    Map<String, TypePause> all() {
        return paused;
    }

    synchronized TypePause pause(String taskType, String by) {
        TypePause pause = store.pause(taskType, by);
        Map<String, TypePause> next = new HashMap<>(paused);
        next.put(taskType, pause);
        paused = Map.copyOf(next);
        return pause;
    }

    /** @return whether it was paused */
    synchronized boolean resume(String taskType) {
        boolean was = store.resume(taskType);
        Map<String, TypePause> next = new HashMap<>(paused);
        next.remove(taskType);
        paused = Map.copyOf(next);
        return was;
    }
}
