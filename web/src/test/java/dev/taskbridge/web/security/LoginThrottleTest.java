package dev.taskbridge.web.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    /** A clock the test moves by hand. */
    private static final class HandClock extends Clock {
        private Instant now = Instant.parse("2026-12-03T10:00:00Z");

        void pass(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final HandClock clock = new HandClock();
    private final LoginThrottle throttle = new LoginThrottle(clock);

    @Test
    void aClientThatGuessesTooOftenWaitsForTheEndOfItsWindowAndIsThenHeardAgain() {
        for (int i = 1; i < LoginThrottle.FAILURES_PER_USER; i++) {
            assertThat(throttle.failed("10.0.0.9", "admin").throttledNow()).isFalse();
            assertThat(throttle.retryAfterSeconds("10.0.0.9", "admin")).isZero();
        }
        clock.pass(Duration.ofSeconds(60));

        LoginThrottle.Verdict tenth = throttle.failed("10.0.0.9", "admin");

        assertThat(tenth.throttledNow()).isTrue();
        assertThat(tenth.acrossUsers()).isFalse();
        assertThat(tenth.retryAfterSeconds()).isEqualTo(LoginThrottle.WINDOW.toSeconds() - 60);
        assertThat(throttle.retryAfterSeconds("10.0.0.9", "admin")).isEqualTo(240);
        assertThat(throttle.failed("10.0.0.9", "admin").throttledNow()).as("logged once, not again").isFalse();

        clock.pass(Duration.ofSeconds(239));
        assertThat(throttle.retryAfterSeconds("10.0.0.9", "admin")).isEqualTo(1);
        clock.pass(Duration.ofSeconds(1));
        assertThat(throttle.retryAfterSeconds("10.0.0.9", "admin")).as("a delay, not a lock").isZero();
    }

    @Test
    void theSameUserFromAnotherClientAndAnotherUserFromThisClientAreNotSlowedDown() {
        for (int i = 0; i < 30; i++) {
            throttle.failed("10.0.0.9", "admin");
        }

        assertThat(throttle.retryAfterSeconds("10.0.0.9", "admin")).isPositive();
        assertThat(throttle.retryAfterSeconds("10.0.0.7", "admin")).isZero();
        assertThat(throttle.retryAfterSeconds("10.0.0.9", "clerk")).isZero();
    }

    @Test
    void theRightPasswordForgetsTheWrongOnesBeforeIt() {
        for (int i = 1; i < LoginThrottle.FAILURES_PER_USER; i++) {
            throttle.failed("10.0.0.9", "clerk");
        }
        throttle.succeeded("10.0.0.9", "clerk");

        assertThat(throttle.failed("10.0.0.9", "clerk").throttledNow()).isFalse();
        assertThat(throttle.retryAfterSeconds("10.0.0.9", "clerk")).isZero();
    }

    @Test
    void aClientTryingManyUsersIsThrottledForAllOfThem() {
        LoginThrottle.Verdict last = null;
        for (int i = 0; i < LoginThrottle.FAILURES_PER_CLIENT; i++) {
            last = throttle.failed("10.0.0.9", "user" + i);
        }

        assertThat(last.throttledNow()).isTrue();
        assertThat(last.acrossUsers()).isTrue();
        assertThat(throttle.retryAfterSeconds("10.0.0.9", "someone-else")).isEqualTo(LoginThrottle.WINDOW.toSeconds());
        assertThat(throttle.retryAfterSeconds("10.0.0.8", "someone-else")).isZero();
    }

    @Test
    void anIpv6HostCountsAsItsWholeSlash64ForItPicksAnyAddressInIt() {
        // one host, a new address of its /64 for every guess (privacy addresses make that free)
        for (int i = 1; i <= LoginThrottle.FAILURES_PER_USER; i++) {
            throttle.failed("2001:db8:aa:bb:" + Integer.toHexString(i) + "::1", "admin");
        }

        assertThat(throttle.retryAfterSeconds("2001:db8:aa:bb:ffff:ffff:ffff:ffff", "admin"))
                .as("another address of the same /64").isEqualTo(LoginThrottle.WINDOW.toSeconds());
        assertThat(throttle.retryAfterSeconds("2001:0db8:00aa:00bb:0:0:0:7", "admin"))
                .as("the same /64, spelled out").isEqualTo(LoginThrottle.WINDOW.toSeconds());
        assertThat(throttle.retryAfterSeconds("2001:db8:aa:bc::1", "admin")).as("the next /64").isZero();
    }

    @Test
    void anIpv4AddressSeenThroughIpv6CountsAsThatIpv4Address() {
        for (int i = 1; i <= LoginThrottle.FAILURES_PER_USER; i++) {
            throttle.failed("::ffff:10.0.0.9", "admin");
        }

        assertThat(throttle.retryAfterSeconds("10.0.0.9", "admin")).isEqualTo(LoginThrottle.WINDOW.toSeconds());
        assertThat(throttle.retryAfterSeconds("10.0.0.10", "admin")).as("IPv4 addresses count one by one").isZero();
    }

    @Test
    void aClientKeyIsItsIpv4AddressOrTheSlash64OfItsIpv6Address() {
        assertThat(LoginThrottle.clientKey("192.0.2.7")).isEqualTo("192.0.2.7");
        assertThat(LoginThrottle.clientKey("2001:db8::1")).isEqualTo("2001:db8:0:0::/64");
        assertThat(LoginThrottle.clientKey("fe80::1%eth0")).isEqualTo("fe80:0:0:0::/64");
        assertThat(LoginThrottle.clientKey("::1")).isEqualTo("0:0:0:0::/64");
        assertThat(LoginThrottle.clientKey("::ffff:192.0.2.7")).isEqualTo("192.0.2.7");
        assertThat(LoginThrottle.clientKey("not an address")).as("counted as it is, never looked up").isEqualTo("not an address");
    }

    @Test
    void itKeepsABoundedNumberOfCounts() {
        for (int i = 0; i < LoginThrottle.MAX_TRACKED * 2; i++) {
            throttle.failed("10.1." + (i / 256) + "." + (i % 256), "u");
        }
        // the newest are kept; the oldest were dropped (memory stays bounded)
        assertThat(throttle.trackedCounts()).isLessThanOrEqualTo(LoginThrottle.MAX_TRACKED);
    }
}
