package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.Test;

class StepsInFlightTest {

    private final StepsInFlight steps = new StepsInFlight(false);
    private final List<Runnable> released = new ArrayList<>();
    private int started;

    private CompletableFuture<String> step(CompletableFuture<String> answer) {
        started++;
        return answer;
    }

    @Test
    void aSuspendCompletesOnceTheStepsUnderWayEndAndHoldsThoseAskedForUntilTheResume() {
        CompletableFuture<String> underWay = new CompletableFuture<>();
        CompletionStage<String> first = steps.run(() -> step(underWay));

        assertThat(steps.suspend()).isTrue();
        CompletableFuture<Void> quiet = steps.quiet().toCompletableFuture();
        CompletionStage<String> asked = steps.run(() -> step(CompletableFuture.completedFuture("held")));

        assertThat(quiet).isNotDone();
        assertThat(started).as("only the step under way started").isEqualTo(1);
        underWay.complete("done");
        assertThat(first.toCompletableFuture()).isCompletedWithValue("done");
        assertThat(quiet).as("complete once none is under way").isCompleted();
        assertThat(asked.toCompletableFuture()).isNotDone();
        assertThat(steps.suspend()).as("a repeated suspend").isFalse();

        assertThat(steps.resume(released::add)).isTrue();
        assertThat(steps.suspended()).isFalse();
        assertThat(started).as("started on the executor, not by the resume's caller").isEqualTo(1);
        assertThat(steps.underWay()).as("counted from the resume").isEqualTo(1);
        released.forEach(Runnable::run);
        assertThat(started).isEqualTo(2);
        assertThat(asked.toCompletableFuture()).isCompletedWithValue("held");
        assertThat(steps.underWay()).isZero();
    }

    @Test
    void aSuspendWithNothingUnderWayIsCompleteAtOnce() {
        steps.suspend();
        assertThat(steps.quiet().toCompletableFuture()).isCompleted();
        assertThat(steps.suspended()).isTrue();
    }

    @Test
    void anEngineThatStartsSuspendedHoldsItsFirstStep() {
        StepsInFlight suspendedAtStart = new StepsInFlight(true);
        CompletionStage<String> asked = suspendedAtStart.run(() -> step(CompletableFuture.completedFuture("first")));
        assertThat(started).isZero();
        suspendedAtStart.resume(Runnable::run);
        assertThat(asked.toCompletableFuture()).isCompletedWithValue("first");
    }

    @Test
    void aStepTheExecutorRefusesAtTheResumeIsNotCountedAndNeverAnswers() {
        steps.suspend();
        CompletionStage<String> asked = steps.run(() -> step(CompletableFuture.completedFuture("held")));
        steps.resume(command -> {
            throw new java.util.concurrent.RejectedExecutionException("stopping");
        });
        assertThat(started).isZero();
        assertThat(asked.toCompletableFuture()).isNotDone();
        assertThat(steps.underWay()).isZero();
    }

    /** A suspend that comes while the engine stops must not keep the host waiting for a drain that ran out of time. */
    @Test
    void aSuspendIsCompleteOnceADrainBegins() throws Exception {
        CompletionStage<String> stuck = steps.run(() -> step(new CompletableFuture<>()));
        steps.suspend();
        CompletableFuture<Void> quiet = steps.quiet().toCompletableFuture();
        assertThat(quiet).isNotDone();

        assertThat(steps.drain(Duration.ofMillis(10))).isEqualTo(1);

        assertThat(quiet).isCompleted();
        assertThat(stuck.toCompletableFuture()).isNotDone();
    }

    /** The task's log context goes with a held step to the thread that starts it. */
    @Test
    void aHeldStepRunsInTheLogContextItWasAskedIn() {
        steps.suspend();
        org.slf4j.MDC.put("taskId", "t-1");
        List<String> seen = new ArrayList<>();
        try {
            steps.run(() -> {
                seen.add(org.slf4j.MDC.get("taskId"));
                return CompletableFuture.completedFuture("ok");
            });
        } finally {
            org.slf4j.MDC.remove("taskId");
        }
        steps.resume(Runnable::run);
        assertThat(seen).containsExactly("t-1");
        assertThat(org.slf4j.MDC.get("taskId")).as("and leaves it behind on that thread").isNull();
    }

    @Test
    void aHeldStepThatThrowsAnswersItsFailure() {
        steps.suspend();
        CompletionStage<String> asked = steps.run(() -> {
            throw new IllegalStateException("broken");
        });
        steps.resume(Runnable::run);
        assertThat(asked.toCompletableFuture()).isCompletedExceptionally();
        assertThat(steps.underWay()).isZero();
    }

    @Test
    void aDrainAfterASuspendNeverStartsWhatWaited() throws Exception {
        steps.suspend();
        CompletionStage<String> asked = steps.run(() -> step(CompletableFuture.completedFuture("held")));

        assertThat(steps.drain(Duration.ZERO)).isZero();
        steps.resume(released::add);
        released.forEach(Runnable::run);

        assertThat(started).isZero();
        assertThat(asked.toCompletableFuture()).isNotDone();
        assertThat(steps.run(() -> step(CompletableFuture.completedFuture("late"))).toCompletableFuture()).isNotDone();
        assertThat(started).isZero();
    }
}
