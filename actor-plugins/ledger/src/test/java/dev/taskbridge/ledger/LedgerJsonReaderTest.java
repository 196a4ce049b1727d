package dev.taskbridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Shape checks, through the task type as the engine calls them. */
class LedgerJsonReaderTest {

    private final LedgerValidateTaskType taskType = new LedgerValidateTaskType();

    @Test
    void readsLinesNumberedFromOneWithValuesAsWritten() throws Exception {
        LedgerFile file = taskType.parse(Payload.json("""
                {"lines": [
                  {"documentNumber": " D1 ", "postingDate": "2026-11-02", "accountCode": "1000",
                   "costCenter": "CC1", "debit": 100.50, "credit": "0", "currency": "EUR",
                   "description": "Office chairs"},
                  {"documentNumber": "D1", "credit": 1e3, "debit": null}
                ]}
                """));

        assertThat(file.lines()).containsExactly(
                new LedgerLine(1, " D1 ", "2026-11-02", "1000", "CC1", "100.50", "0", "EUR", "Office chairs"),
                new LedgerLine(2, "D1", null, null, null, null, "1e3", null, null));
    }

    @Test
    void leavesMissingAndNullFieldsToValidation() throws Exception {
        LedgerFile file = taskType.parse(Payload.json("""
                {"lines": [{}, {"documentNumber": null, "postingDate": null, "accountCode": null,
                  "costCenter": null, "debit": null, "credit": null, "currency": null, "description": null}]}
                """));

        assertThat(file.lines()).containsExactly(
                new LedgerLine(1, null, null, null, null, null, null, null, null),
                new LedgerLine(2, null, null, null, null, null, null, null, null));
    }

    @Test
    void reportsEveryShapeProblemAtOnceWithItsPath() {
        List<FieldProblem> problems = problemsOf("""
                {"lines": [
                  {"documentNumber": "D1", "debit": true, "foo": 1},
                  "not a line",
                  {"accountCode": 1000, "credit": {"amount": "1"}, "currency": ["EUR"], "description": false},
                  null,
                  {"debit": "1", "debit": "2"}
                ],
                "extra": {"nested": [1, {"a": 2}]}}
                """);

        assertThat(problems).containsExactly(
                new FieldProblem("lines[0].debit", "must be a string or a number"),
                new FieldProblem("lines[0].foo", "is not a known field"),
                new FieldProblem("lines[1]", "must be an object"),
                new FieldProblem("lines[2].accountCode", "must be a string"),
                new FieldProblem("lines[2].credit", "must be a string or a number"),
                new FieldProblem("lines[2].currency", "must be a string"),
                new FieldProblem("lines[2].description", "must be a string"),
                new FieldProblem("lines[3]", "must be an object"),
                new FieldProblem("lines[4].debit", "appears more than once"),
                new FieldProblem("extra", "is not a known field"));
    }

    @Test
    void theExceptionMessageNamesEachProblem() {
        assertThatThrownBy(() -> taskType.parse(Payload.json("{\"lines\": [{\"foo\": 1}, 2]}")))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessage("invalid payload: lines[0].foo: is not a known field; lines[1]: must be an object");
    }

    @Test
    void acceptsJsonAndCsvOnly() {
        Payload text = new Payload("text/plain", "documentNumber\nD1\n".getBytes(StandardCharsets.UTF_8));

        assertThat(problemsOf(text)).containsExactly(
                new FieldProblem("Content-Type", "must be application/json or text/csv"));
    }

    @Test
    void toleratesParametersAndCaseInTheMediaType() throws Exception {
        Payload payload = new Payload("Application/JSON; charset=UTF-8",
                "{\"lines\": [{}]}".getBytes(StandardCharsets.UTF_8));

        assertThat(taskType.parse(payload).lines()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  \n "})
    void refusesAnEmptyBody(String body) {
        assertThat(problemsOf(body)).containsExactly(new FieldProblem("body", "must not be empty"));
    }

    @Test
    void reportsWhereTheJsonIsBroken() {
        List<FieldProblem> problems = problemsOf("{\"lines\": [\n{\"debit\": }]}");

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("body");
            assertThat(problem.reason()).startsWith("is not valid JSON: ").contains("line no=2, column no=11");
        });
    }

    @Test
    void reportsContentAfterTheTopLevelObjectWithItsPosition() {
        assertThat(problemsOf("{\"lines\": [{}]} {}")).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("body");
            assertThat(problem.reason()).startsWith("is not valid JSON: Expected EOF token").contains("line no=1");
        });
    }

    @Test
    void keepsTheShapeProblemsFoundBeforeTheJsonBroke() {
        List<FieldProblem> problems = problemsOf("{\"lines\": [{\"foo\": 1}, {\"debit\": ]}");

        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).isEqualTo(new FieldProblem("lines[0].foo", "is not a known field"));
        assertThat(problems.get(1).field()).isEqualTo("body");
    }

    @Test
    void refusesBytesThatAreNotUtf8() {
        byte[] prefix = "{\"lines\": [{\"description\": \"".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + 5];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        body[prefix.length] = (byte) 0xC3;
        body[prefix.length + 1] = (byte) 0x28;
        body[prefix.length + 2] = '"';
        body[prefix.length + 3] = '}';
        body[prefix.length + 4] = ']';

        assertThat(problemsOf(new Payload(Payload.JSON, body))).containsExactly(
                new FieldProblem("body", "is not valid UTF-8 (bad byte at offset " + prefix.length + ")"));
    }

    /** Parsson gives up at 1,000 levels with a bare RuntimeException, which would be a 500. */
    @ParameterizedTest
    @ValueSource(ints = {LedgerJsonReader.MAX_DEPTH + 1, 1_001, 100_000})
    void refusesJsonNestedTooDeeplyAsAShapeProblem(int depth) {
        String arrays = "[".repeat(depth) + "]".repeat(depth);

        assertThat(problemsOf(arrays)).containsExactly(
                new FieldProblem("body", "must be a JSON object with a \"lines\" array"),
                new FieldProblem("body", "is nested more than " + LedgerJsonReader.MAX_DEPTH
                        + " levels deep (line no=1, column no=" + (LedgerJsonReader.MAX_DEPTH + 1) + ", offset=" + LedgerJsonReader.MAX_DEPTH + ")"));
    }

    @Test
    void refusesDeepNestingInsideALineOrAnUnknownField() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);

        assertThat(problemsOf("{\"lines\": [{\"debit\": " + deep + "}]}")).extracting(FieldProblem::reason)
                .contains("must be a string or a number")
                .anySatisfy(reason -> assertThat(reason).startsWith("is nested more than 64 levels deep"));
        assertThat(problemsOf("{\"extra\": " + deep + ", \"lines\": [{}]}")).extracting(FieldProblem::reason)
                .contains("is not a known field")
                .anySatisfy(reason -> assertThat(reason).startsWith("is nested more than 64 levels deep"));
    }

    @Test
    void acceptsNestingUpToTheLimitInAFieldItThenReportsAsUnknown() {
        int depth = LedgerJsonReader.MAX_DEPTH - 1;
        String nested = "[".repeat(depth - 1) + "]".repeat(depth - 1);

        assertThat(problemsOf("{\"lines\": [{}], \"extra\": " + nested + "}")).containsExactly(
                new FieldProblem("extra", "is not a known field"));
    }

    /** An amount is kept as written and judged by validation: an absurd exponent is never expanded. */
    @Test
    void keepsAHugeExponentAsWrittenForValidationToRefuse() throws Exception {
        LedgerFile file = taskType.parse(Payload.json("{\"lines\": [{\"debit\": 1e999999999, \"credit\": \"1E-999999999\"}]}"));

        assertThat(file.lines()).singleElement().satisfies(line -> {
            assertThat(line.debit()).isEqualTo("1e999999999");
            assertThat(LineValidator.amountProblem(line.debit())).isEqualTo("must be a decimal number such as 1234.50");
            assertThat(LineValidator.amountProblem(line.credit())).isEqualTo("must be a decimal number such as 1234.50");
        });
    }

    @Test
    void ignoresAByteOrderMark() throws Exception {
        assertThat(taskType.parse(Payload.json("\uFEFF{\"lines\": [{}]}")).lines()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[{\"debit\": \"1\"}]", "\"lines\"", "42"})
    void needsAnObjectAtTheTopLevel(String body) {
        assertThat(problemsOf(body)).containsExactly(
                new FieldProblem("body", "must be a JSON object with a \"lines\" array"));
    }

    @Test
    void needsLines() {
        assertThat(problemsOf("{}")).containsExactly(new FieldProblem("lines", "is required"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "\"D1\"", "null", "3", "{\"debit\": \"1\"}"})
    void needsLinesToBeAnArray(String lines) {
        assertThat(problemsOf("{\"lines\": " + lines + "}")).containsExactly(
                new FieldProblem("lines", "must be an array of line objects"));
    }

    @Test
    void needsAtLeastOneLine() {
        assertThat(problemsOf("{\"lines\": []}")).containsExactly(new FieldProblem("lines", "must not be empty"));
    }

    @Test
    void needsLinesOnlyOnce() {
        assertThat(problemsOf("{\"lines\": [{}], \"lines\": [{}]}")).containsExactly(
                new FieldProblem("lines", "appears more than once"));
    }

    @Test
    void acceptsTheMostLinesAFileMayHave() throws Exception {
        assertThat(taskType.parse(Payload.json(emptyLines(LedgerFile.MAX_LINES))).lines())
                .hasSize(100_000)
                .last().extracting(LedgerLine::lineNumber).isEqualTo(100_000);
    }

    @Test
    void refusesMoreLinesSayingHowManyThereAre() {
        assertThat(problemsOf(emptyLines(LedgerFile.MAX_LINES + 1))).containsExactly(
                new FieldProblem("lines", "must have at most 100000 lines (found 100001)"));
    }

    @Test
    void listsAThousandProblemsAndCountsTheRest() {
        String body = "{\"lines\": [" + String.join(",", java.util.Collections.nCopies(1_500, "{\"foo\": 1}")) + "]}";

        List<FieldProblem> problems = problemsOf(body);

        assertThat(problems).hasSize(PayloadProblems.MAX_PROBLEMS + 1);
        assertThat(problems.get(999)).isEqualTo(new FieldProblem("lines[999].foo", "is not a known field"));
        assertThat(problems.get(1000)).isEqualTo(new FieldProblem("body", "500 more problems are not listed"));
    }

    private static String emptyLines(int count) {
        return "{\"lines\": [" + "{},".repeat(count - 1) + "{}]}";
    }

    private List<FieldProblem> problemsOf(String json) {
        return problemsOf(Payload.json(json));
    }

    private List<FieldProblem> problemsOf(Payload payload) {
        try {
            LedgerFile file = taskType.parse(payload);
            throw new AssertionError("expected the payload to be refused, but it parsed to " + file);
        } catch (InvalidPayloadException e) {
            return e.problems();
        }
    }
}
