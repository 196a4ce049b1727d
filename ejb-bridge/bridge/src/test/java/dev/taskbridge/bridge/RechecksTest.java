package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskbridge.gateway.EngineUnavailableException;
import dev.taskbridge.plugin.FinishedTask;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;
import org.junit.jupiter.api.Test;

/** Finding a file's errors again is bounded: one at a time per user, a few at a time overall, else 503. */
class RechecksTest {

    private final Rechecks rechecks = new Rechecks(2, 1);

    @Test
    void aSecondRecheckOfTheSameUserIsRefusedWhileTheFirstHoldsItsPermit() {
        Rechecks.Lease first = rechecks.lease("clerk1");
        first.enter();

        Rechecks.Lease second = rechecks.lease("clerk1");
        assertThatThrownBy(second::enter).isInstanceOf(EngineUnavailableException.class)
                .satisfies(e -> assertThat(((EngineUnavailableException) e).retryAfterSeconds())
                        .isEqualTo(Rechecks.RETRY_AFTER_SECONDS));
        second.close();

        first.close();
        Rechecks.Lease third = rechecks.lease("clerk1");
        third.enter();
        third.close();
    }

    @Test
    void othersGetInUntilTheServerWideCapIsReached() {
        Rechecks.Lease one = rechecks.lease("clerk1");
        Rechecks.Lease two = rechecks.lease("clerk2");
        one.enter();
        two.enter();

        assertThatThrownBy(() -> rechecks.lease("clerk3").enter()).isInstanceOf(EngineUnavailableException.class);

        two.close();
        two.close(); // closing twice frees one permit, once
        Rechecks.Lease three = rechecks.lease("clerk3");
        three.enter();
        assertThatThrownBy(() -> rechecks.lease("clerk4").enter()).isInstanceOf(EngineUnavailableException.class);
        one.close();
        three.close();
    }

    @Test
    void aLeaseNeverEnteredHoldsNothing() {
        rechecks.lease("clerk1").close();
        Rechecks.Lease lease = rechecks.lease("clerk1");
        lease.enter();
        lease.enter(); // entering again within the same request takes no second permit
        lease.close();
        rechecks.lease("clerk1").enter();
    }

    @Test
    void readingAStoredPayloadTakesThePermitAndASecondConcurrentReadOfTheSameUserIsRefusedUnread() {
        AtomicInteger loads = new AtomicInteger();
        Rechecks.Lease first = rechecks.lease("clerk1");
        FinishedTask<Object> held = TaskGatewayBean.finished("task-1", "{}", Instant.now(), PARSES, PARSES.version(), () -> {
            loads.incrementAndGet();
            return PAYLOAD;
        }, first);
        held.payload();

        Rechecks.Lease second = rechecks.lease("clerk1");
        FinishedTask<Object> refused = TaskGatewayBean.finished("task-2", "{}", Instant.now(), PARSES, PARSES.version(), () -> {
            loads.incrementAndGet();
            return PAYLOAD;
        }, second);

        assertThatThrownBy(refused::payload).isInstanceOf(EngineUnavailableException.class);
        assertThat(loads).hasValue(1);
        first.close();
        second.close();
    }

    static final Payload PAYLOAD = new Payload("text/csv", new byte[0], java.util.Map.of());

    static final TaskType<Object> PARSES = new TaskType<>() {
        @Override
        public String id() {
            return "test.parses";
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public Object parse(Payload payload) {
            return "parsed";
        }

        @Override
        public TaskHandler<Object> handler() {
            throw new UnsupportedOperationException();
        }
    };
}
