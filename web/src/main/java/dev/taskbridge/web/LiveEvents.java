package dev.taskbridge.web;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.taskbridge.gateway.TaskEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import dev.taskbridge.gateway.TaskGateway;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live event streams: every client that follows one task ({@code /api/tasks/{id}/events}) or
 * all the tasks it may see ({@code /api/events}), fed by the gateway's task events.
 *
 * <p>The gateway calls on the engine's threads, which must never wait for a client: an event is
 * only queued on each stream that follows it, and written on the container's managed threads
 * (see {@link EventStreams} for the limits that keep a client that does not read from holding up
 * others or undeploy). A heartbeat comment finds clients that went away. A stream that follows one
 * task ends after the task's final event. The metric {@code taskbridge_event_streams_open} counts the
 * open streams: how an operator (and {@code bench/hostile-load.sh}) sees that closed ones were released.
 */
@ApplicationScoped
public class LiveEvents {

    private static final Logger LOG = LoggerFactory.getLogger(LiveEvents.class);

    /** How long a client waits before it reconnects to a stream that broke. */
    static final long RECONNECT_MILLIS = 3_000;
    /** Streams one user may hold open at once; the next one is answered 429. */
    static final int MAX_STREAMS_PER_USER = 8;
    /** Seconds between heartbeat comments; also how long a write may wait on a client before it is dropped. */
    static final int HEARTBEAT_SECONDS = 15;
    /** Events queued for one client at most; a client that lets more pile up is dropped. */
    static final int QUEUE_SIZE = 256;
    /** How long undeploy waits for the streams to close. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    @EJB
    private TaskGateway gateway;

    @Resource
    private ManagedExecutorService threads;

    @Resource
    private ManagedScheduledExecutorService timer;

    // written under this object's lock, read without it by the gauge
    private volatile EventStreams streams;
    private AutoCloseable subscription;
    private ScheduledFuture<?> heartbeats;

    /**
     * Sends the task's state now, then each of its changes until its final one. The stream is
     * registered before {@code task} is read, so a change between the two is not lost.
     *
     * @throws TooManyStreamsException if the user holds as many streams as one may
     */
    public void followTask(String taskId, String user, Supplier<TaskJson> task, SseEventSink sink, Sse sse) {
        EventStreams.Stream stream = start().open(user, sink, sse, event -> event.taskId().equals(taskId), true);
        TaskJson now;
        try {
            now = task.get();
        } catch (RuntimeException e) {
            stream.abandon();
            throw e;
        }
        stream.begin(sse.newEventBuilder().name("task").id(now.id()).reconnectDelay(RECONNECT_MILLIS)
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(TaskJson.class, now).build(), isFinal(now.status()));
    }

    /**
     * Sends every change of the tasks {@code visible} lets through, until the client goes away.
     *
     * @throws TooManyStreamsException if the user holds as many streams as one may
     */
    public void followAll(String user, Predicate<TaskEvent> visible, SseEventSink sink, Sse sse) {
        // a first comment tells the client the stream is open, before any task changes
        start().open(user, sink, sse, visible, false)
                .begin(sse.newEventBuilder().comment("following").reconnectDelay(RECONNECT_MILLIS).build(), false);
    }

    public LiveEvents() {
    }

    /** With streams made elsewhere (tests): nothing is subscribed to and no heartbeat runs. */
    LiveEvents(EventStreams streams) {
        this.streams = streams;
    }

    /** Counts the open streams in the engine's metrics from deployment on, so that a scrape shows 0 before the first one opens. */
    void watch(@Observes @Initialized(ApplicationScoped.class) Object deployed) {
        gateway.watchEventStreams(this::openStreams);
    }

    /** Streams open now: registered and not yet ended (a dropped or closed stream no longer counts). */
    int openStreams() {
        EventStreams current = streams;
        return current == null ? 0 : current.size();
    }

    private synchronized EventStreams start() {
        if (streams == null) {
            Config config = ConfigProvider.getConfig(LiveEvents.class.getClassLoader());
            int heartbeat = config.getOptionalValue("taskbridge.events.heartbeat-seconds", Integer.class).orElse(HEARTBEAT_SECONDS);
            streams = new EventStreams(threads, new EventStreams.Settings(
                    config.getOptionalValue("taskbridge.events.max-streams-per-user", Integer.class).orElse(MAX_STREAMS_PER_USER),
                    config.getOptionalValue("taskbridge.events.queue-size", Integer.class).orElse(QUEUE_SIZE),
                    Duration.ofSeconds(heartbeat), CLOSE_WAIT));
            subscription = gateway.subscribe(streams::publish);
            heartbeats = timer.scheduleAtFixedRate(streams::heartbeat, heartbeat, heartbeat, TimeUnit.SECONDS);
            LOG.info("Live task events started, a heartbeat every {} s", heartbeat);
        }
        return streams;
    }

    private static boolean isFinal(String status) {
        return status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED");
    }

    @PreDestroy
    synchronized void stop() {
        if (streams == null) {
            return;
        }
        heartbeats.cancel(false);
        try {
            subscription.close();
        } catch (Exception e) {
            LOG.warn("Could not end the subscription to task events", e);
        }
        streams.stop();
        streams = null;
        LOG.info("Live task events stopped");
    }
}
