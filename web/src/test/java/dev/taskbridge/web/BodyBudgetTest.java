package dev.taskbridge.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class BodyBudgetTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void smallBodiesAndBodilessRequestsNeverWait() throws Exception {
        BodyBudget budget = new BodyBudget(20 * MIB, 20 * MIB, Duration.ZERO);
        BodyBudget.Ticket all = budget.enter(20 * MIB).orElseThrow();

        assertThat(budget.enter(0)).as("no body").isPresent();
        assertThat(budget.enter(BodyBudget.SMALL_BODY_BYTES)).as("an everyday API request").isPresent();
        assertThat(budget.enter(BodyBudget.SMALL_BODY_BYTES + 1)).as("a large one, with the room taken").isEmpty();
        all.close();
    }

    @Test
    void largeBodiesShareTheRoomAndOneThatFindsNoneInTimeIsTurnedAway() throws Exception {
        BodyBudget budget = new BodyBudget(64 * MIB, 20 * MIB, Duration.ofMillis(50));

        Optional<BodyBudget.Ticket> first = budget.enter(20 * MIB);
        Optional<BodyBudget.Ticket> second = budget.enter(20 * MIB);
        Optional<BodyBudget.Ticket> third = budget.enter(20 * MIB);
        Optional<BodyBudget.Ticket> fourth = budget.enter(20 * MIB);

        assertThat(first).isPresent();
        assertThat(second).isPresent();
        assertThat(third).isPresent();
        assertThat(fourth).as("a fourth 20 MiB upload in a 64 MiB budget").isEmpty();
        assertThat(budget.enter(-1)).as("a body of undeclared length takes room for the largest").isEmpty();
        assertThat(budget.retryAfterSeconds()).isEqualTo(1);
    }

    @Test
    void roomComesBackWhenARequestIsOverOnceEvenIfClosedTwiceAndAWaiterGetsIt() throws Exception {
        BodyBudget budget = new BodyBudget(20 * MIB, 20 * MIB, Duration.ofSeconds(5));
        BodyBudget.Ticket held = budget.enter(15 * MIB).orElseThrow();
        CompletableFuture<Optional<BodyBudget.Ticket>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return budget.enter(10 * MIB);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(waiting).as("waits while the room is taken").isNotDone();

        held.close();
        held.close();

        BodyBudget.Ticket next = waiting.get(5, TimeUnit.SECONDS).orElseThrow();
        assertThat(budget.freeBytes()).as("closed twice, given back once").isEqualTo(10 * MIB);
        next.close();
        assertThat(budget.freeBytes()).isEqualTo(budget.capacityBytes());
    }

    @Test
    void aServersBudgetIsAThirtySecondOfItsHeapAndAlwaysHoldsOneBody() {
        assertThat(BodyBudget.forHeap(1024 * MIB, 21 * MIB, Duration.ofSeconds(10), Duration.ofMinutes(2)).capacityBytes()).isEqualTo(32 * MIB);
        assertThat(BodyBudget.forHeap(4096 * MIB, 21 * MIB, Duration.ofSeconds(10), Duration.ofMinutes(2)).capacityBytes()).isEqualTo(128 * MIB);
        assertThat(BodyBudget.forHeap(256 * MIB, 21 * MIB, Duration.ofSeconds(10), Duration.ofMinutes(2)).capacityBytes())
                .as("a small heap still takes one upload at a time").isEqualTo(21 * MIB);
        assertThatThrownBy(() -> new BodyBudget(MIB, 2 * MIB, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBodyStillArrivingAfterTheHoldLimitGivesItsRoomToTheNextAndItsReadsFail() throws Exception {
        long[] now = {0};
        BodyBudget budget = new BodyBudget(20 * MIB, 20 * MIB, Duration.ZERO, Duration.ofSeconds(120), () -> now[0]);
        BodyBudget.Ticket trickling = budget.enter(20 * MIB).orElseThrow();
        assertThat(budget.enter(20 * MIB)).as("within the limit the room is taken").isEmpty();
        assertThat(trickling.overdue()).isFalse();

        now[0] = Duration.ofSeconds(121).toNanos();

        assertThat(trickling.overdue()).isTrue();
        assertThatThrownBy(trickling::requireInTime).as("its next read fails").isInstanceOf(BodyOverdueException.class)
                .hasMessage("the body did not arrive within 120 s");
        BodyBudget.Ticket next = budget.enter(20 * MIB).orElseThrow();
        assertThat(budget.freeBytes()).isZero();
        trickling.close();
        assertThat(budget.freeBytes()).as("the overdue ticket gave its room back once, when it was taken").isZero();
        next.close();
        assertThat(budget.freeBytes()).isEqualTo(budget.capacityBytes());
    }

    @Test
    void aSmallBodyIsNeverOverdue() throws Exception {
        long[] now = {0};
        BodyBudget budget = new BodyBudget(20 * MIB, 20 * MIB, Duration.ZERO, Duration.ofSeconds(1), () -> now[0]);
        BodyBudget.Ticket small = budget.enter(100).orElseThrow();
        now[0] = Duration.ofHours(1).toNanos();

        assertThat(small.overdue()).isFalse();
    }
}
