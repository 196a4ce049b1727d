package dev.taskbridge.web.security;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Slows down password guessing without locking anyone out (docs/design/006-login-throttle.md).
 * Wrong passwords are counted per client (its address; for IPv6, its /64 network, see
 * {@link #clientKey}) and user, and per client over all users,
 * in windows of {@link #WINDOW}: a client that sent {@link #FAILURES_PER_USER} wrong passwords for
 * one user, or {@link #FAILURES_PER_CLIENT} for any users, gets no password checked until its
 * window ends. The user is never locked: the same user from another client logs in as ever.
 *
 * <p>Memory is bounded: at most {@link #MAX_TRACKED} counts are kept, the least recently used
 * dropped first. Thread-safe.
 */
public final class LoginThrottle {

    /** Wrong passwords one client may send for one user in a window before it must wait. */
    public static final int FAILURES_PER_USER = 10;
    /** Wrong passwords one client may send for all users together in a window (password spraying). */
    public static final int FAILURES_PER_CLIENT = 50;
    /** How long a window lasts, from its first wrong password; a throttled client waits for its end. */
    public static final Duration WINDOW = Duration.ofMinutes(5);
    /** Counts kept at most (clients and client-user pairs), the least recently used dropped first. */
    public static final int MAX_TRACKED = 10_000;
    /** An IPv6 literal as a servlet container gives it (no brackets), with an optional scope; nothing a resolver would look up. */
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[\\w.-]+)?");
    /** The longest user name that is counted as it is; longer ones are counted by this prefix. */
    private static final int MAX_USER_LENGTH = 256;

    /** What {@link #failed} found: whether the client is throttled now, and for how long. */
    public record Verdict(boolean throttledNow, boolean acrossUsers, long retryAfterSeconds) {
    }

    private record Count(Instant windowEnds, int failures) {
    }

    private final Clock clock;
    private final Map<String, Count> counts = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Count> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /**
     * What a client's wrong passwords count under: its IPv4 address, or the /64 network of its
     * IPv6 address. An IPv6 host is given a whole /64 and may use any address in it, so counting
     * per address would give it 2<sup>64</sup> fresh counts. An IPv4 address seen through IPv6
     * ({@code ::ffff:a.b.c.d}) counts as itself. Anything else is counted as it is.
     */
    static String clientKey(String address) {
        if (!IPV6_LITERAL.matcher(address).matches()) {
            return address;
        }
        int scope = address.indexOf('%');
        try {
            // a literal of hex digits, colons and dots: parsed, never looked up
            InetAddress parsed = InetAddress.getByName(scope < 0 ? address : address.substring(0, scope));
            if (parsed instanceof Inet4Address) {
                return parsed.getHostAddress();
            }
            byte[] bytes = parsed.getAddress();
            return String.format("%x:%x:%x:%x::/64", group(bytes, 0), group(bytes, 2), group(bytes, 4), group(bytes, 6));
        } catch (UnknownHostException notAnAddress) {
            return address;
        }
    }

    private static int group(byte[] bytes, int at) {
        return (bytes[at] & 0xff) << 8 | bytes[at + 1] & 0xff;
    }

    /** Seconds this client must wait before a password of this user is checked again; 0 if it need not. */
    public synchronized long retryAfterSeconds(String address, String user) {
        String client = clientKey(address);
        Instant now = clock.instant();
        return Math.max(wait(pair(client, user), FAILURES_PER_USER, now), wait(client, FAILURES_PER_CLIENT, now));
    }

    /** Counts a wrong password; says whether this one made the client throttled (to be logged once). */
    public synchronized Verdict failed(String address, String user) {
        String client = clientKey(address);
        Instant now = clock.instant();
        int forUser = count(pair(client, user), now);
        int forClient = count(client, now);
        boolean userLimit = forUser == FAILURES_PER_USER;
        boolean clientLimit = forClient == FAILURES_PER_CLIENT;
        long wait = Math.max(wait(pair(client, user), FAILURES_PER_USER, now), wait(client, FAILURES_PER_CLIENT, now));
        return new Verdict(userLimit || clientLimit, clientLimit && !userLimit, wait);
    }

    /** The right password: this client's wrong ones for this user are forgotten. */
    public synchronized void succeeded(String address, String user) {
        counts.remove(pair(clientKey(address), user));
    }

    /** How many counts are kept now (at most {@link #MAX_TRACKED}). */
    synchronized int trackedCounts() {
        return counts.size();
    }

    private int count(String key, Instant now) {
        Count count = counts.get(key);
        Count next = count == null || !now.isBefore(count.windowEnds())
                ? new Count(now.plus(WINDOW), 1)
                : new Count(count.windowEnds(), count.failures() + 1);
        counts.put(key, next);
        return next.failures();
    }

    private long wait(String key, int limit, Instant now) {
        Count count = counts.get(key);
        if (count == null || !now.isBefore(count.windowEnds())) {
            counts.remove(key);
            return 0;
        }
        if (count.failures() < limit) {
            return 0;
        }
        long millis = Duration.between(now, count.windowEnds()).toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }

    private static String pair(String client, String user) {
        String name = user.length() > MAX_USER_LENGTH ? user.substring(0, MAX_USER_LENGTH) : user;
        return client + '\n' + name;
    }
}
