package dev.taskbridge.worker;

import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/**
 * A plugin as the worker's tests find it (registered in this module's test resources, so the
 * worker's plugin class loader finds it through its parent): a type only named, never run.
 */
public final class HeavyTestType implements TaskType<String> {

    static final String ID = "test.heavy";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public String parse(Payload payload) {
        return payload.text();
    }

    @Override
    public TaskHandler<String> handler() {
        throw new UnsupportedOperationException("never run: the tests refuse the worker before it starts");
    }
}
