package dev.taskbridge.web;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import dev.taskbridge.gateway.TaskEvent;
import dev.taskbridge.gateway.TaskGateway;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live event streams: every client that follows one task ({@code /api/tasks/{id}/events}) or
 * all the tasks it may see ({@code /api/events}), fed by the gateway's task events.
 *
 * <p>The gateway calls on the engine's threads, which must never wait for a client; events are
 * handed to one serial executor on the container's managed threads, which writes them in order.
 * A client that went away is dropped at its next event. A stream that follows one task ends after
 * the task's final event.
 */
@ApplicationScoped
public class LiveEvents {

    private static final Logger LOG = LoggerFactory.getLogger(LiveEvents.class);

    /** How long a client waits before it reconnects to a stream that broke. */
    static final long RECONNECT_MILLIS = 3_000;

    @EJB
    private TaskGateway gateway;

    @Resource
    private ManagedExecutorService threads;

    private final List<Follower> followers = new CopyOnWriteArrayList<>();
    private SerialExecutor sender;
    private AutoCloseable subscription;

    /** A client and what it follows. */
    private record Follower(SseEventSink sink, Sse sse, Predicate<TaskEvent> follows, boolean endsWithTask) {
    }

    /** Sends the task's state now, then each of its changes until its final one. */
    public void followTask(TaskJson task, SseEventSink sink, Sse sse) {
        start();
        Follower follower = new Follower(sink, sse, event -> event.taskId().equals(task.id()), true);
        sender.execute(() -> {
            send(follower, sse.newEventBuilder().name("task").id(task.id()).reconnectDelay(RECONNECT_MILLIS)
                    .mediaType(MediaType.APPLICATION_JSON_TYPE).data(TaskJson.class, task).build());
            if (isFinal(task.status())) {
                close(sink);
            } else if (!sink.isClosed()) {
                followers.add(follower);
            }
        });
    }

    /** Sends every change of the tasks {@code visible} lets through, until the client goes away. */
    public void followAll(Predicate<TaskEvent> visible, SseEventSink sink, Sse sse) {
        start();
        Follower follower = new Follower(sink, sse, visible, false);
        sender.execute(() -> {
            // a first comment tells the client the stream is open, before any task changes
            send(follower, sse.newEventBuilder().comment("following").reconnectDelay(RECONNECT_MILLIS).build());
            if (!sink.isClosed()) {
                followers.add(follower);
            }
        });
    }

    private synchronized void start() {
        if (subscription == null) {
            sender = new SerialExecutor(threads);
            subscription = gateway.subscribe(event -> sender.execute(() -> deliver(event)));
            LOG.info("Live task events started");
        }
    }

    private void deliver(TaskEvent event) {
        TaskEventJson json = TaskEventJson.of(event);
        for (Follower follower : followers) {
            if (!follower.follows().test(event)) {
                continue;
            }
            send(follower, follower.sse().newEventBuilder().name(event.kind().name()).id(event.taskId())
                    .mediaType(MediaType.APPLICATION_JSON_TYPE).data(TaskEventJson.class, json).build());
            if (follower.endsWithTask() && event.kind().isFinal()) {
                close(follower.sink());
            }
            if (follower.sink().isClosed()) {
                followers.remove(follower);
            }
        }
    }

    private void send(Follower follower, OutboundSseEvent event) {
        if (follower.sink().isClosed()) {
            followers.remove(follower);
            return;
        }
        try {
            follower.sink().send(event).whenComplete((done, failure) -> {
                if (failure != null) {
                    // the client went away; closing the sink releases its request
                    followers.remove(follower);
                    close(follower.sink());
                }
            });
        } catch (RuntimeException e) {
            followers.remove(follower);
            close(follower.sink());
        }
    }

    private static void close(SseEventSink sink) {
        try {
            sink.close();
        } catch (IOException e) {
            LOG.debug("Closing an event stream failed; its client is gone", e);
        }
    }

    private static boolean isFinal(String status) {
        return status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED");
    }

    @PreDestroy
    synchronized void stop() {
        followers.forEach(follower -> close(follower.sink()));
        followers.clear();
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                LOG.warn("Could not end the subscription to task events", e);
            }
            subscription = null;
        }
    }
}
