package dev.taskbridge.engine.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

class FiringTimesTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static Instant at(String offsetDateTime) {
        return OffsetDateTime.parse(offsetDateTime).toInstant();
    }

    @Test
    void aNightlyRunWhoseTimeTheClocksSkipRunsAsLongAfterTheJumpAsItWasIntoTheGap() {
        FiringTimes nightly = FiringTimes.cron("0 30 2 * * ?", BERLIN);

        assertThat(nightly.next(3, at("2026-03-27T12:00:00+01:00"))).containsExactly(
                at("2026-03-28T02:30:00+01:00"),
                at("2026-03-29T03:30:00+02:00"), // 02:30 does not exist that night: once, an hour "late" on the wall
                at("2026-03-30T02:30:00+02:00"));
    }

    @Test
    void aNightlyRunWhoseTimeHappensTwiceWhenTheClocksGoBackRunsOnce() {
        FiringTimes nightly = FiringTimes.cron("0 30 2 * * ?", BERLIN);

        assertThat(nightly.next(3, at("2026-10-24T12:00:00+02:00"))).containsExactly(
                at("2026-10-25T02:30:00+02:00"), // its first occurrence; not again at 02:30+01:00
                at("2026-10-26T02:30:00+01:00"),
                at("2026-10-27T02:30:00+01:00"));
    }

    @Test
    void anHourlyRunFollowsTheRealClockTwentyThreeAndTwentyFiveTimesOnTheDaysTheClocksChange() {
        FiringTimes hourly = FiringTimes.cron("0 0 * * * ?", BERLIN);

        assertThat(firingsOnLocalDay(hourly, LocalDate.of(2026, 3, 29))).hasSize(23);
        assertThat(firingsOnLocalDay(hourly, LocalDate.of(2026, 10, 25))).hasSize(25);
        assertThat(firingsOnLocalDay(hourly, LocalDate.of(2026, 10, 26))).hasSize(24);
        List<Instant> autumn = firingsOnLocalDay(hourly, LocalDate.of(2026, 10, 25));
        for (int i = 1; i < autumn.size(); i++) {
            assertThat(Duration.between(autumn.get(i - 1), autumn.get(i))).isEqualTo(Duration.ofHours(1));
        }
    }

    @Test
    void everyHalfHourAcrossTheSpringGapFiresEveryRealHalfHourWithNothingTwice() {
        FiringTimes halfHourly = FiringTimes.cron("0 0/30 * * * ?", BERLIN);

        assertThat(halfHourly.next(4, at("2026-03-29T01:00:00+01:00"))).containsExactly(
                at("2026-03-29T01:30:00+01:00"), at("2026-03-29T03:00:00+02:00"), at("2026-03-29T03:30:00+02:00"),
                at("2026-03-29T04:00:00+02:00"));
    }

    @Test
    void theSameExpressionReadsInItsOwnZone() {
        Instant from = at("2026-01-10T00:00:00Z");

        assertThat(FiringTimes.cron("0 0 8 * * ?", BERLIN).nextAfter(from)).contains(at("2026-01-10T08:00:00+01:00"));
        assertThat(FiringTimes.cron("0 0 8 * * ?", NEW_YORK).nextAfter(from)).contains(at("2026-01-10T08:00:00-05:00"));
        assertThat(FiringTimes.cron("0 0 8 * * ?", ZoneId.of("Asia/Tokyo")).nextAfter(from)).contains(at("2026-01-11T08:00:00+09:00")); // past eight there already
        // New York changes its clocks three weeks before Berlin: 02:15 that night is 03:15 EDT
        assertThat(FiringTimes.cron("0 15 2 * * ?", NEW_YORK).next(2, at("2026-03-07T12:00:00-05:00")))
                .containsExactly(at("2026-03-08T03:15:00-04:00"), at("2026-03-09T02:15:00-04:00"));
    }

    @Test
    void aHalfHourShiftMovesAFiringInItsGapByHowFarIntoTheGapItWas() {
        ZoneId lordHowe = ZoneId.of("Australia/Lord_Howe"); // 02:00 becomes 02:30 on the first Sunday of October

        assertThat(FiringTimes.cron("0 15 2 * * ?", lordHowe).next(2, at("2026-10-03T12:00:00+10:30"))).containsExactly(
                at("2026-10-04T02:45:00+11:00"), at("2026-10-05T02:15:00+11:00"));
    }

    @Test
    void theMonthEndClosingRunsOnTheLastDayOfEachMonth() {
        assertThat(FiringTimes.cron("0 0 18 L * ?", BERLIN).next(3, at("2027-01-01T00:00:00+01:00"))).containsExactly(
                at("2027-01-31T18:00:00+01:00"), at("2027-02-28T18:00:00+01:00"), at("2027-03-31T18:00:00+02:00"));
    }

    @Test
    void mondayRemindersAtEight() {
        assertThat(FiringTimes.cron("0 0 8 ? * MON", BERLIN).next(2, at("2026-12-04T10:00:00+01:00"))).containsExactly(
                at("2026-12-07T08:00:00+01:00"), at("2026-12-14T08:00:00+01:00"));
    }

    @Test
    void anExpressionLimitedToAYearEndsAndNeverHangs() {
        FiringTimes once = FiringTimes.cron("0 0 12 1 1 ? 2027", BERLIN);

        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(once.nextAfter(at("2026-12-04T00:00:00Z"))).contains(at("2027-01-01T12:00:00+01:00"));
            assertThat(once.nextAfter(at("2027-01-01T12:00:00+01:00"))).as("none after its last").isEmpty();
            assertThat(FiringTimes.cron("0 0 12 1 1 ? 2020", BERLIN).nextAfter(at("2026-12-04T00:00:00Z"))).isEmpty();
            assertThat(once.lastBefore(at("2026-12-04T00:00:00Z"))).isEmpty();
        });
    }

    @Test
    void theLastFiringBeforeATimeIncludesOneMovedOutOfTheSpringGap() {
        FiringTimes nightly = FiringTimes.cron("0 30 2 * * ?", BERLIN);

        assertThat(nightly.lastBefore(at("2026-03-29T04:00:00+02:00"))).contains(at("2026-03-29T03:30:00+02:00"));
        assertThat(nightly.lastBefore(at("2026-03-29T03:30:00+02:00"))).as("strictly before").contains(at("2026-03-28T02:30:00+01:00"));
        assertThat(nightly.lastBefore(at("2026-12-04T10:00:00.250+01:00"))).contains(at("2026-12-04T02:30:00+01:00"));
        assertThat(FiringTimes.cron("* * * * * ?", BERLIN).lastBefore(at("2026-12-04T10:00:00.250Z")))
                .as("in the same second, before its fraction").contains(at("2026-12-04T10:00:00Z"));
        Instant anchor = at("2026-01-01T00:00:00Z");
        FiringTimes hourly = FiringTimes.every(Duration.ofHours(1), anchor);
        assertThat(hourly.lastBefore(anchor.plusSeconds(3 * 3600))).contains(anchor.plusSeconds(2 * 3600));
        assertThat(hourly.lastBefore(anchor.plusSeconds(3 * 3600 + 1))).contains(anchor.plusSeconds(3 * 3600));
        assertThat(hourly.lastBefore(anchor.plusSeconds(3600))).as("none before the first").isEmpty();
    }

    @Test
    void badExpressionsSayWhatIsWrong() {
        assertThatThrownBy(() -> FiringTimes.cron("61 * * * * ?", BERLIN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("61");
        assertThatThrownBy(() -> FiringTimes.cron("nonsense", BERLIN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parts");
        assertThatThrownBy(() -> FiringTimes.cron("0 2 * * *", BERLIN)).as("Unix cron has no seconds")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIntervalFiresOnItsGridFromItsAnchorWhateverTheClocksDo() {
        Instant anchor = at("2026-03-29T00:59:59.500+01:00");
        FiringTimes everySecond = FiringTimes.every(Duration.ofSeconds(1), anchor);

        assertThat(everySecond.next(3, anchor)).containsExactly(anchor.plusSeconds(1), anchor.plusSeconds(2), anchor.plusSeconds(3));
        assertThat(everySecond.nextAfter(anchor.plusMillis(1500))).contains(anchor.plusSeconds(2));
        assertThat(everySecond.nextAfter(anchor.plusSeconds(2))).as("strictly after").contains(anchor.plusSeconds(3));
        assertThat(everySecond.nextAfter(anchor.minusSeconds(10))).contains(anchor.plusSeconds(1));
        assertThatThrownBy(() -> FiringTimes.every(Duration.ZERO, anchor)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Instant> firingsOnLocalDay(FiringTimes times, LocalDate day) {
        Instant start = day.atStartOfDay(BERLIN).toInstant();
        Instant end = day.plusDays(1).atStartOfDay(BERLIN).toInstant();
        return times.next(30, start.minusMillis(1)).stream().filter(firing -> firing.isBefore(end)).toList();
    }
}
