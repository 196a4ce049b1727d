package dev.taskbridge.web;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import dev.taskbridge.gateway.TaskEvent;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open event streams and what each still has to send: the part of {@link LiveEvents} that
 * knows no container, so that plain threads can test it.
 *
 * <p>A client can stop reading and stay connected; a write to it then waits, and RESTEasy's
 * {@code close} waits for that write. So no stream may hold up another, nor undeploy:
 * <ul>
 * <li>each stream has its own queue of at most {@link Settings#queueSize()} events, sent one at a
 * time on the given threads, the next once the previous one was written; a stream whose queue is
 * full, or whose write has not finished by the next heartbeat, is dropped and its sink closed;</li>
 * <li>sinks are closed on the given threads, never on the caller's, and {@link #stop()} waits for
 * them at most {@link Settings#closeWait()};</li>
 * <li>a user holds at most {@link Settings#maxPerUser()} streams;</li>
 * <li>{@link #heartbeat()} sends a comment to every stream: a client that went away is found at
 * the latest by the heartbeat after next.</li>
 * </ul>
 */
final class EventStreams {

    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);

    /** The limits; {@link LiveEvents} reads them from configuration. */
    record Settings(int maxPerUser, int queueSize, Duration stallAfter, Duration closeWait) {
    }

    /** How long a user at the cap waits for streams whose client went away to be found out. */
    static final Duration PROBE_WAIT = Duration.ofMillis(500);

    private final Executor threads;
    private final Settings settings;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();

    EventStreams(Executor threads, Settings settings) {
        this.threads = threads;
        this.settings = settings;
    }

    /**
     * Registers a stream, which queues the events it follows from now on and sends none until
     * {@link Stream#begin}: what lets a caller read a task's state after registering, so that no
     * change falls between the read and the registration.
     *
     * @throws TooManyStreamsException if the user already holds as many streams as one may
     */
    Stream open(String user, SseEventSink sink, Sse sse, Predicate<TaskEvent> follows, boolean endsWithTask) {
        if (held(user) >= settings.maxPerUser()) {
            probe(user);
        }
        synchronized (streams) {
            long held = held(user);
            if (held >= settings.maxPerUser()) {
                LOG.info("Refused an event stream to {}: {} open, as many as one user may", user, held);
                throw new TooManyStreamsException(settings.maxPerUser());
            }
            Stream stream = new Stream(user, sink, sse, follows, endsWithTask);
            streams.add(stream);
            return stream;
        }
    }

    private long held(String user) {
        return streams.stream().filter(stream -> stream.user.equals(user)).count();
    }

    /**
     * A stream whose client went away (a browser tab closed, a page left) counts until a write
     * finds it out, which may be a heartbeat away: a user who reloads a page a few times would
     * meet the cap. So at the cap, each of the user's idle streams gets two comments (the first
     * write to a connection its client closed may still succeed, the next fails), and the user
     * waits a moment for those that fail to go.
     */
    private void probe(String user) {
        streams.stream().filter(stream -> stream.user.equals(user)).forEach(Stream::probe);
        long until = System.nanoTime() + PROBE_WAIT.toNanos();
        try {
            while (held(user) >= settings.maxPerUser() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Queues a task's change on every stream that follows it; never waits. */
    void publish(TaskEvent event) {
        TaskEventJson json = null;
        for (Stream stream : streams) {
            if (!stream.follows.test(event)) {
                continue;
            }
            if (json == null) {
                json = TaskEventJson.of(event);
            }
            stream.offer(stream.sse.newEventBuilder().name(event.kind().name()).id(event.taskId())
                    .mediaType(MediaType.APPLICATION_JSON_TYPE).data(TaskEventJson.class, json).build(),
                    stream.endsWithTask && event.kind().isFinal());
        }
    }

    /** Sends a comment on every stream, and drops those whose last write has not finished for too long. */
    void heartbeat() {
        long now = System.nanoTime();
        for (Stream stream : streams) {
            if (stream.stalledSince(now, settings.stallAfter())) {
                LOG.warn("Dropped an event stream of {}: its client has read nothing for {} ms", stream.user,
                        settings.stallAfter().toMillis());
                stream.end();
            } else {
                stream.offer(stream.sse.newEventBuilder().comment("heartbeat").build(), false);
            }
        }
    }

    /** How many streams are open. */
    int size() {
        return streams.size();
    }

    /** Ends every stream; waits for their sinks to close at most {@link Settings#closeWait()}. */
    void stop() {
        List<CompletableFuture<Void>> closing = List.copyOf(streams).stream().map(Stream::end).toList();
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(settings.closeWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("{} of {} event streams did not close within {} ms; their clients do not read, the server will drop them",
                    closing.stream().filter(done -> !done.isDone()).count(), closing.size(), settings.closeWait().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.debug("Closing an event stream failed", e);
        }
    }

    /** One client's stream: what it follows, and its queue. */
    final class Stream {

        private final String user;
        private final SseEventSink sink;
        private final Sse sse;
        private final Predicate<TaskEvent> follows;
        private final boolean endsWithTask;

        // guarded by this
        private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
        private boolean begun;
        private boolean sending;
        private long sendStartedAt;
        private CompletableFuture<Void> closed;

        private Stream(String user, SseEventSink sink, Sse sse, Predicate<TaskEvent> follows, boolean endsWithTask) {
            this.user = user;
            this.sink = sink;
            this.sse = sse;
            this.follows = follows;
            this.endsWithTask = endsWithTask;
        }

        /** Sends {@code first}, then what was queued since the stream was opened; {@code last}: end after it. */
        void begin(OutboundSseEvent first, boolean last) {
            synchronized (this) {
                if (closed != null) {
                    return;
                }
                queue.addFirst(new Outgoing(first, last));
                begun = true;
            }
            sendSoon();
        }

        /** Forgets a stream whose request failed before it began; the container answers the request. */
        void abandon() {
            synchronized (this) {
                closed = CompletableFuture.completedFuture(null);
                queue.clear();
            }
            streams.remove(this);
        }

        private void offer(OutboundSseEvent event, boolean last) {
            synchronized (this) {
                if (closed != null) {
                    return;
                }
                if (queue.size() < settings.queueSize()) {
                    queue.add(new Outgoing(event, last));
                    event = null;
                }
            }
            if (event != null) {
                LOG.warn("Dropped an event stream of {}: its client has not read its last {} events", user, settings.queueSize());
                end();
            } else {
                sendSoon();
            }
        }

        private void sendSoon() {
            synchronized (this) {
                if (!begun || sending || closed != null || queue.isEmpty()) {
                    return;
                }
                sending = true;
                sendStartedAt = System.nanoTime();
            }
            try {
                threads.execute(this::sendNext);
            } catch (RejectedExecutionException e) {
                LOG.debug("No thread to send an event on; the application is stopping", e);
                synchronized (this) {
                    sending = false;
                }
            }
        }

        private void sendNext() {
            Outgoing next;
            synchronized (this) {
                next = closed == null ? queue.poll() : null;
                if (next == null) {
                    sending = false;
                    return;
                }
            }
            CompletionStage<?> sent;
            try {
                sent = sink.send(next.event());
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((done, failure) -> {
                if (failure != null) {
                    LOG.debug("An event stream of {} broke; its client went away", user, failure);
                    end();
                } else if (next.last()) {
                    end();
                } else {
                    synchronized (this) {
                        sending = false;
                    }
                    sendSoon();
                }
            });
        }

        /** Two comments if nothing waits to be sent: a broken connection fails the second write at the latest. */
        private void probe() {
            synchronized (this) {
                if (!begun || closed != null || !queue.isEmpty()) {
                    return;
                }
            }
            offer(sse.newEventBuilder().comment("heartbeat").build(), false);
            offer(sse.newEventBuilder().comment("heartbeat").build(), false);
        }

        private synchronized boolean stalledSince(long now, Duration stallAfter) {
            return sending && closed == null && now - sendStartedAt >= stallAfter.toNanos();
        }

        /** Ends the stream and closes its sink on another thread; completes once it closed. */
        CompletableFuture<Void> end() {
            CompletableFuture<Void> done;
            synchronized (this) {
                if (closed != null) {
                    return closed;
                }
                closed = done = new CompletableFuture<>();
                queue.clear();
            }
            streams.remove(this);
            try {
                threads.execute(() -> {
                    close(sink);
                    done.complete(null);
                });
            } catch (RejectedExecutionException e) {
                LOG.warn("No thread to close an event stream of {} on; the server will drop it", user);
                done.complete(null);
            }
            return done;
        }
    }

    private record Outgoing(OutboundSseEvent event, boolean last) {
    }

    private static void close(SseEventSink sink) {
        try {
            sink.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing an event stream failed; its client is gone", e);
        }
    }
}
