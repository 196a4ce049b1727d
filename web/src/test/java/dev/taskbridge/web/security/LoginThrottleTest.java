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
    void itKeepsABoundedNumberOfCounts() {
        for (int i = 0; i < LoginThrottle.MAX_TRACKED * 2; i++) {
            throttle.failed("10.1." + (i / 256) + "." + (i % 256), "u");
        }
        // the newest are kept; the oldest were dropped (memory stays bounded)
        assertThat(throttle.trackedCounts()).isLessThanOrEqualTo(LoginThrottle.MAX_TRACKED);
    }
}
