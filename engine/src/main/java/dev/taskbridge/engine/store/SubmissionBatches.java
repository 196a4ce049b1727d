package dev.taskbridge.engine.store;

import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Group commit for submissions: callers that submit at the same time share one transaction.
 *
 * <p>No thread of its own: a caller queues its submission, and if no batch is being written,
 * becomes the writer of every submission queued at that moment (up to {@link #MAX_BATCH}); the
 * others wait for that batch and, if theirs was not in it, one of them writes the next. A lone
 * submission is written at once, as a batch of one; under load, batches grow by themselves with
 * the time a commit takes. Each caller returns when its own row has committed, or with the
 * failure of its own row.
 */
final class SubmissionBatches {

    /** Enough to amortise a commit many times over; small enough that one batch stays a short transaction. */
    static final int MAX_BATCH = 256;

    private final Consumer<List<Pending>> writer;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** A batch is being written; guarded by {@code queue}. */
    private boolean writing;

    /** @param writer writes a batch and completes every one of its submissions, stored or failed */
    SubmissionBatches(Consumer<List<Pending>> writer) {
        this.writer = writer;
    }

    /** Stores {@code task}, submitted {@code at}, in a batch with whatever is submitted meanwhile. */
    Stored submit(NewTask task, OffsetDateTime at) {
        Pending mine = new Pending(task, at);
        boolean interrupted = false;
        try {
            synchronized (queue) {
                queue.add(mine);
            }
            while (true) {
                List<Pending> batch;
                synchronized (queue) {
                    while (!mine.isDone() && writing) {
                        try {
                            queue.wait();
                        } catch (InterruptedException e) {
                            // the submission is queued: it will be written, so its caller must learn how it went
                            interrupted = true;
                        }
                    }
                    if (mine.isDone()) {
                        return mine.result();
                    }
                    // not done and nothing being written: it is still queued, and this thread writes the next batch
                    writing = true;
                    batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
                    while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
                        batch.add(queue.poll());
                    }
                }
                write(batch);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void write(List<Pending> batch) {
        try {
            writer.accept(batch);
        } catch (RuntimeException | Error e) {
            RuntimeException failure = e instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("the submissions could not be written", e);
            batch.forEach(pending -> pending.failed(failure));
            if (e instanceof Error error) {
                throw error;
            }
        } finally {
            synchronized (queue) {
                writing = false;
                queue.notifyAll();
            }
        }
    }

    /** One submission waiting for its batch. Completed once, by the thread that writes its batch. */
    static final class Pending {

        private final NewTask task;
        private final OffsetDateTime at;
        private Stored stored;
        private RuntimeException failure;

        Pending(NewTask task, OffsetDateTime at) {
            this.task = task;
            this.at = at;
        }

        NewTask task() {
            return task;
        }

        OffsetDateTime at() {
            return at;
        }

        void stored(Stored result) {
            if (!isDone()) {
                stored = result;
            }
        }

        void failed(RuntimeException e) {
            if (!isDone()) {
                failure = e;
            }
        }

        /** Read and written under the batches' lock, or by the writer before it releases it. */
        boolean isDone() {
            return stored != null || failure != null;
        }

        Stored result() {
            if (failure != null) {
                throw failure;
            }
            return stored;
        }
    }
}
