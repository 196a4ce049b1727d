package dev.taskbridge.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import dev.taskbridge.gateway.ErrorPage;
import dev.taskbridge.gateway.FieldError;
import dev.taskbridge.gateway.InvalidSubmissionException;
import org.junit.jupiter.api.Test;

/** Offsets and limits of lists and of a task's errors: a bad one is a field error that names it and why. */
class PagingParametersTest {

    private final List<FieldError> errors = new ArrayList<>();

    private long limit(String value) {
        return TasksResource.parseNumber("limit", value, ErrorPage.DEFAULT_LIMIT, 1, ErrorPage.MAX_LIMIT, errors);
    }

    private long offset(String value) {
        return TasksResource.parseNumber("offset", value, 0, 0, Long.MAX_VALUE, errors);
    }

    @Test
    void absentOrBlankIsTheDefault() {
        assertThat(limit(null)).isEqualTo(100);
        assertThat(offset(" ")).isZero();
        assertThat(errors).isEmpty();
    }

    @Test
    void aNumberInRangeIsTaken() {
        assertThat(limit("1000")).isEqualTo(1_000);
        assertThat(offset(" 5000000000 ")).isEqualTo(5_000_000_000L);
        assertThat(errors).isEmpty();
    }

    @Test
    void outOfRangeOrNotANumberNamesTheFieldAndWhy() {
        limit("0");
        limit("1001");
        offset("-1");
        limit("ten");

        assertThat(errors).containsExactly(
                new FieldError("limit", "must be between 1 and 1000"),
                new FieldError("limit", "must be between 1 and 1000"),
                new FieldError("offset", "must not be negative"),
                new FieldError("limit", "must be a whole number, was 'ten'"));
    }

    @Test
    void badPagingOfATasksErrorsIsOneAnswerNamingEveryBadFieldBeforeTheTaskIsLookedUp() {
        // no gateway: the resource is the one place that checks them, and refuses before it asks
        TasksResource resource = new TasksResource();

        assertThatThrownBy(() -> resource.errors("task-1", "-1", "0"))
                .isInstanceOf(InvalidSubmissionException.class)
                .extracting(e -> ((InvalidSubmissionException) e).errors()).asList()
                .containsExactly(
                        new FieldError("offset", "must not be negative"),
                        new FieldError("limit", "must be between 1 and 1000"));
    }
}
