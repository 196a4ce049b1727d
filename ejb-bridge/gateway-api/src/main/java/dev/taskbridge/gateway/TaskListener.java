package dev.taskbridge.gateway;

/**
 * Receives {@link TaskEvent}s from {@link TaskGateway#subscribe}. Called on the engine's threads:
 * it must return quickly and must not block; hand the event to a thread of your own for anything
 * slow, such as writing to a client.
 */
@FunctionalInterface
public interface TaskListener {

    void onEvent(TaskEvent event);
}
