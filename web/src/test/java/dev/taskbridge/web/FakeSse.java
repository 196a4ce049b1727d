package dev.taskbridge.web;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import jakarta.ws.rs.core.GenericType;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

/** Server-sent events without a server: events that remember what they were built with, and sinks that record them. */
final class FakeSse implements Sse {

    @Override
    public OutboundSseEvent.Builder newEventBuilder() {
        return new Builder();
    }

    @Override
    public SseBroadcaster newBroadcaster() {
        throw new UnsupportedOperationException();
    }

    /** An event as built; {@code name} or {@code comment} tell what it was. */
    record Event(String name, String id, String comment, Object data) implements OutboundSseEvent {

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getId() {
            return id;
        }

        @Override
        public String getComment() {
            return comment;
        }

        @Override
        public Object getData() {
            return data;
        }

        @Override
        public Class<?> getType() {
            return data == null ? null : data.getClass();
        }

        @Override
        public Type getGenericType() {
            return getType();
        }

        @Override
        public MediaType getMediaType() {
            return MediaType.APPLICATION_JSON_TYPE;
        }

        @Override
        public long getReconnectDelay() {
            return -1;
        }

        @Override
        public boolean isReconnectDelaySet() {
            return false;
        }
    }

    private static final class Builder implements OutboundSseEvent.Builder {
        private String name;
        private String id;
        private String comment;
        private Object data;

        @Override
        public OutboundSseEvent.Builder id(String id) {
            this.id = id;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder name(String name) {
            this.name = name;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder reconnectDelay(long milliseconds) {
            return this;
        }

        @Override
        public OutboundSseEvent.Builder mediaType(MediaType mediaType) {
            return this;
        }

        @Override
        public OutboundSseEvent.Builder comment(String comment) {
            this.comment = comment;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder data(Class type, Object data) {
            this.data = data;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder data(GenericType type, Object data) {
            this.data = data;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder data(Object data) {
            this.data = data;
            return this;
        }

        @Override
        public OutboundSseEvent build() {
            return new Event(name, id, comment, data);
        }
    }

    /** A sink that records what it was sent; how a send ends is up to the test. */
    static final class Sink implements SseEventSink {
        final List<Event> sent = new CopyOnWriteArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);
        /** The connection broke without the server noticing: the next write fails. */
        volatile boolean broken;
        private final Function<OutboundSseEvent, CompletionStage<?>> send;
        private final CountDownLatch closeMayReturn;

        private Sink(Function<OutboundSseEvent, CompletionStage<?>> send, CountDownLatch closeMayReturn) {
            this.send = send;
            this.closeMayReturn = closeMayReturn;
        }

        /** A client that reads everything. */
        static Sink reading() {
            return new Sink(event -> CompletableFuture.completedFuture(null), new CountDownLatch(0));
        }

        /** A client that stays connected and reads nothing: no write finishes, and close waits as RESTEasy's does. */
        static Sink notReading(CountDownLatch closeMayReturn) {
            return new Sink(event -> new CompletableFuture<>(), closeMayReturn);
        }

        @Override
        public boolean isClosed() {
            return closed.getCount() == 0;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            sent.add((Event) event);
            return broken ? CompletableFuture.failedFuture(new IOException("Broken pipe")) : send.apply(event);
        }

        @Override
        public void close() {
            closed.countDown();
            try {
                closeMayReturn.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        List<String> names() {
            return sent.stream().map(event -> event.name() != null ? event.name() : ": " + event.comment()).toList();
        }
    }
}
