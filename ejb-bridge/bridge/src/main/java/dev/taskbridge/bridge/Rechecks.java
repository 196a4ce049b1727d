package dev.taskbridge.bridge;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;

import dev.taskbridge.gateway.EngineUnavailableException;

/**
 * A bulkhead around finding a finished task's errors again from its stored file (a page past the
 * listed errors, errors.csv): each such re-check loads the stored payload (up to 20 MiB), holds it
 * parsed (up to 100,000 lines) and checks every line again, for ledger.post with database queries
 * and an open entity manager, for as long as a slow client takes to read a CSV. Unbounded, one
 * clerk's parallel requests or slow downloads exhaust the heap (#11). So a re-check takes a
 * permit of its user's ({@value #MAX_PER_USER}) and one of the server's ({@value #MAX_AT_ONCE});
 * when either is taken it is refused at once as unavailable (503 with {@code Retry-After}), never
 * queued, since a queue of waiting requests would hold their threads and connections instead.
 */
final class Rechecks {

    /**
     * Re-checks at once on the whole server. Two parsed 20 MiB files and their checks fit the heap
     * beside the engine with room to spare and keep the two cores for everything else; a third
     * clerk waits a few seconds, which a page or a download can afford.
     */
    static final int MAX_AT_ONCE = 2;

    /** Re-checks at once per user: one, so that one clerk cannot take every server-wide permit. */
    static final int MAX_PER_USER = 1;

    /** What a refused client is told to wait: a re-check of a large file takes seconds. */
    static final long RETRY_AFTER_SECONDS = 10;

    private final Semaphore overall;
    private final int perUserLimit;
    /** One semaphore per user who ever re-checked: as many as the server has users, no more. */
    private final ConcurrentMap<String, Semaphore> perUser = new ConcurrentHashMap<>();

    Rechecks(int atOnce, int perUserLimit) {
        this.overall = new Semaphore(atOnce);
        this.perUserLimit = perUserLimit;
    }

    /** A lease for one request of {@code user}'s: it takes its permits only if the request re-checks. */
    Lease lease(String user) {
        return new Lease(user == null ? "" : user);
    }

    /** The permits of one request: taken on {@link #enter()}, given back once on {@link #close()}. */
    final class Lease implements AutoCloseable {

        private final String user;
        private boolean held;

        private Lease(String user) {
            this.user = user;
        }

        /**
         * Takes the user's and the server's permit, unless this lease holds them already.
         *
         * @throws EngineUnavailableException either is taken: the request is to be tried again later
         */
        synchronized void enter() {
            if (held) {
                return;
            }
            Semaphore mine = perUser.computeIfAbsent(user, name -> new Semaphore(perUserLimit));
            if (!mine.tryAcquire()) {
                throw new EngineUnavailableException("the errors of another of your files are being found again; "
                        + "try again when that is done", null, RETRY_AFTER_SECONDS);
            }
            if (!overall.tryAcquire()) {
                mine.release();
                throw new EngineUnavailableException("the server is busy finding the errors of other files again; "
                        + "try again in a few seconds", null, RETRY_AFTER_SECONDS);
            }
            held = true;
        }

        @Override
        public synchronized void close() {
            if (held) {
                held = false;
                overall.release();
                perUser.get(user).release();
            }
        }
    }
}
