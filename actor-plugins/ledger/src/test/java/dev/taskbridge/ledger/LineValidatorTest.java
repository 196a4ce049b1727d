package dev.taskbridge.ledger;

import static dev.taskbridge.ledger.LedgerFixtures.aCreditLine;
import static dev.taskbridge.ledger.LedgerFixtures.aDebitLine;
import static dev.taskbridge.ledger.LedgerFixtures.aFileOf;
import static dev.taskbridge.ledger.LedgerFixtures.aLine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.taskbridge.ledger.LedgerFixtures.LineBuilder;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class LineValidatorTest {

    @Test
    void theDefaultFixtureIsValidAndCarriesItsAmounts() {
        CheckedLine checked = LineValidator.validate(aLine().debit("100.5").credit(null).atLine(1));

        assertThat(checked.isValid()).isTrue();
        assertThat(checked.debit()).isEqualByComparingTo("100.50");
        assertThat(checked.credit()).isEqualByComparingTo("0");
    }

    @Test
    void reportsEveryBrokenRuleOfALineInColumnOrder() {
        LedgerLine line = aLine()
                .description("tab\there")
                .currency("eur")
                .credit("-5")
                .debit("1,50")
                .costCenter("CC 1")
                .accountCode("12")
                .postingDate("02.11.2026")
                .documentNumber(null)
                .atLine(7);

        assertThat(LineValidator.validate(line).errors()).containsExactly(
                new LineError(7, LedgerColumn.DOCUMENT_NUMBER, null, "is required"),
                new LineError(7, LedgerColumn.POSTING_DATE, "02.11.2026", "must be a date in the form yyyy-MM-dd"),
                new LineError(7, LedgerColumn.ACCOUNT_CODE, "12", "must be 4 to 10 digits"),
                new LineError(7, LedgerColumn.COST_CENTER, "CC 1", "may contain only letters, digits and '-'"),
                new LineError(7, LedgerColumn.DEBIT, "1,50", "must be a decimal number such as 1234.50"),
                new LineError(7, LedgerColumn.CREDIT, "-5", "must not be negative"),
                new LineError(7, LedgerColumn.CURRENCY, "eur", "must be 3 upper-case letters"),
                new LineError(7, LedgerColumn.DESCRIPTION, "tab\there", "must not contain control characters"));
    }

    @Test
    void anInvalidLineHasNoAmounts() {
        CheckedLine checked = LineValidator.validate(aLine().accountCode("1").atLine(1));

        assertThat(checked.isValid()).isFalse();
        assertThat(checked.debit()).isNull();
        assertThat(checked.credit()).isNull();
    }

    @Test
    void echoesAtMostOneHundredCharactersOfAValue() {
        String longNumber = "D".repeat(150);

        List<LineError> errors = errorsOf(aLine().documentNumber(longNumber));

        assertThat(errors).singleElement().satisfies(error -> {
            assertThat(error.value()).isEqualTo("D".repeat(100));
            assertThat(error.reason()).isEqualTo("must be at most 20 characters");
        });
    }

    @Nested
    class DocumentNumber {

        @ParameterizedTest
        @ValueSource(strings = {"D1", "2026/11-0001_a", "ABCDEFGHIJ0123456789"})
        void accepts(String value) {
            assertThat(reason(aLine().documentNumber(value), LedgerColumn.DOCUMENT_NUMBER)).isNull();
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"   "})
        void isRequired(String value) {
            assertThat(reason(aLine().documentNumber(value), LedgerColumn.DOCUMENT_NUMBER)).isEqualTo("is required");
        }

        @Test
        void hasAtMostTwentyCharacters() {
            assertThat(reason(aLine().documentNumber("A".repeat(21)), LedgerColumn.DOCUMENT_NUMBER))
                    .isEqualTo("must be at most 20 characters");
        }

        @ParameterizedTest
        @ValueSource(strings = {"D 1", "D.1", "Ä1", " D1"})
        void hasOnlyLettersDigitsDashUnderscoreAndSlash(String value) {
            assertThat(reason(aLine().documentNumber(value), LedgerColumn.DOCUMENT_NUMBER))
                    .isEqualTo("may contain only letters, digits, '-', '_' and '/'");
        }

        @Test
        void isNotUsedAgainAfterOtherDocuments() {
            LedgerFile file = aFileOf(
                    aDebitLine("D1", "1000", "10.00"), aCreditLine("D1", "3000", "10.00"),
                    aDebitLine("D2", "1000", "5.00"), aCreditLine("D2", "3000", "5.00"),
                    aDebitLine("D1", "1000", "10.00"), aCreditLine("D1", "3000", "10.00"));

            String reason = "was used for lines 1-2 already; a document's lines must follow one another";
            assertThat(errorsIn(file, 5)).containsExactly(new LineError(5, LedgerColumn.DOCUMENT_NUMBER, "D1", reason));
            assertThat(errorsIn(file, 6)).containsExactly(new LineError(6, LedgerColumn.DOCUMENT_NUMBER, "D1", reason));
            assertThat(List.of(1, 2, 3, 4)).allSatisfy(line -> assertThat(errorsIn(file, line)).isEmpty());
        }
    }

    @Nested
    class PostingDate {

        @ParameterizedTest
        @ValueSource(strings = {"2026-11-02", "2024-02-29", "1999-12-31"})
        void accepts(String value) {
            assertThat(reason(aLine().postingDate(value), LedgerColumn.POSTING_DATE)).isNull();
        }

        @ParameterizedTest
        @NullAndEmptySource
        void isRequired(String value) {
            assertThat(reason(aLine().postingDate(value), LedgerColumn.POSTING_DATE)).isEqualTo("is required");
        }

        @ParameterizedTest
        @ValueSource(strings = {"2026-2-3", "02.11.2026", "2026-11-02T10:00", "+2026-11-02", "20261102"})
        void isWrittenAsAnIsoDate(String value) {
            assertThat(reason(aLine().postingDate(value), LedgerColumn.POSTING_DATE))
                    .isEqualTo("must be a date in the form yyyy-MM-dd");
        }

        @ParameterizedTest
        @ValueSource(strings = {"2026-02-30", "2025-02-29", "2026-13-01", "2026-04-31", "2026-00-10"})
        void existsInTheCalendar(String value) {
            assertThat(reason(aLine().postingDate(value), LedgerColumn.POSTING_DATE))
                    .isEqualTo("is not a real calendar date");
        }
    }

    @Nested
    class AccountCode {

        @ParameterizedTest
        @ValueSource(strings = {"1000", "0100", "1234567890"})
        void accepts(String value) {
            assertThat(reason(aLine().accountCode(value), LedgerColumn.ACCOUNT_CODE)).isNull();
        }

        @ParameterizedTest
        @NullAndEmptySource
        void isRequired(String value) {
            assertThat(reason(aLine().accountCode(value), LedgerColumn.ACCOUNT_CODE)).isEqualTo("is required");
        }

        @ParameterizedTest
        @ValueSource(strings = {"999", "12345678901", "10a0", "-1000", " 1000", "1000.0", "١٢٣٤"})
        void hasFourToTenDigits(String value) {
            assertThat(reason(aLine().accountCode(value), LedgerColumn.ACCOUNT_CODE))
                    .isEqualTo("must be 4 to 10 digits");
        }
    }

    @Nested
    class CostCenter {

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"CC1", "CC-100", "ABCDEFGHIJ"})
        void isOptional(String value) {
            assertThat(reason(aLine().costCenter(value), LedgerColumn.COST_CENTER)).isNull();
        }

        @Test
        void hasAtMostTenCharacters() {
            assertThat(reason(aLine().costCenter("ABCDEFGHIJK"), LedgerColumn.COST_CENTER))
                    .isEqualTo("must be at most 10 characters");
        }

        @ParameterizedTest
        @ValueSource(strings = {"CC_1", "CC 1", "CC/1"})
        void hasOnlyLettersDigitsAndDash(String value) {
            assertThat(reason(aLine().costCenter(value), LedgerColumn.COST_CENTER))
                    .isEqualTo("may contain only letters, digits and '-'");
        }
    }

    @Nested
    class Amounts {

        @ParameterizedTest
        @ValueSource(strings = {"100", "100.5", "100.50", "0.01", "1234567890123.99", "0001.00"})
        void acceptsPlainDecimals(String value) {
            CheckedLine checked = LineValidator.validate(aLine().debit(value).credit("0").atLine(1));

            assertThat(checked.errors()).isEmpty();
            assertThat(checked.debit()).isEqualByComparingTo(value);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "abc               | must be a decimal number such as 1234.50",
            "1,50              | must be a decimal number such as 1234.50",
            "1e3               | must be a decimal number such as 1234.50",
            ".5                | must be a decimal number such as 1234.50",
            "5.                | must be a decimal number such as 1234.50",
            "+5                | must be a decimal number such as 1234.50",
            "' 5'              | must be a decimal number such as 1234.50",
            "-1.00             | must not be negative",
            "-0.01             | must not be negative",
            "12.345            | must have at most 2 decimal places",
            "1.500             | must have at most 2 decimal places",
            "12345678901234    | must have at most 13 digits before the decimal point",
            "12345678901234.00 | must have at most 13 digits before the decimal point",
        })
        void refusesOtherText(String value, String reason) {
            for (LedgerColumn column : List.of(LedgerColumn.DEBIT, LedgerColumn.CREDIT)) {
                // the other side carries the amount, so only the format rule can fail
                LineBuilder line = aLine().debit("1").credit("1").with(column, value);
                assertThat(errorsOf(line)).as(column.columnName())
                        .containsExactly(new LineError(1, column, value, reason));
            }
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"0", "0.00", "-0.00", "  "})
        void countZeroWhenEmptyOrMissing(String zero) {
            CheckedLine checked = LineValidator.validate(aLine().debit(zero).credit("25.00").atLine(1));

            assertThat(checked.errors()).isEmpty();
            assertThat(checked.debit()).isEqualByComparingTo(BigDecimal.ZERO);
            assertThat(checked.credit()).isEqualByComparingTo("25.00");
        }

        @Test
        void needOneSideWhenBothAreZeroAndReportItOnDebit() {
            assertThat(errorsOf(aLine().debit("0.00").credit(null))).containsExactly(
                    new LineError(1, LedgerColumn.DEBIT, "0.00", LineValidator.ONE_OF_DEBIT_AND_CREDIT));
            assertThat(LineValidator.ONE_OF_DEBIT_AND_CREDIT)
                    .isEqualTo("exactly one of debit and credit must be greater than zero");
        }

        @Test
        void needOnlyOneSideWhenBothArePositiveAndReportItOnCredit() {
            assertThat(errorsOf(aLine().debit("10.00").credit("5"))).containsExactly(
                    new LineError(1, LedgerColumn.CREDIT, "5", LineValidator.ONE_OF_DEBIT_AND_CREDIT));
        }

        @Test
        void reportAMalformedAmountAloneRatherThanTheOneSideRule() {
            assertThat(errorsOf(aLine().debit("12.345").credit("0"))).extracting(LineError::reason)
                    .containsExactly("must have at most 2 decimal places");
        }
    }

    @Nested
    class Currency {

        @ParameterizedTest
        @ValueSource(strings = {"EUR", "USD", "SEK", "JPY"})
        void accepts(String value) {
            assertThat(reason(aLine().currency(value), LedgerColumn.CURRENCY)).isNull();
        }

        @ParameterizedTest
        @NullAndEmptySource
        void isRequired(String value) {
            assertThat(reason(aLine().currency(value), LedgerColumn.CURRENCY)).isEqualTo("is required");
        }

        @ParameterizedTest
        @ValueSource(strings = {"eur", "EURO", "EU", "E1R", " EUR"})
        void isThreeUpperCaseLetters(String value) {
            assertThat(reason(aLine().currency(value), LedgerColumn.CURRENCY))
                    .isEqualTo("must be 3 upper-case letters");
        }

        @Test
        void isAKnownCurrency() {
            assertThat(reason(aLine().currency("QQQ"), LedgerColumn.CURRENCY))
                    .isEqualTo("is not a known ISO 4217 currency code");
        }

        @Test
        void isTheSameOnEveryLineOfADocument() {
            LedgerFile file = aFileOf(
                    aDebitLine("D1", "1000", "10.00").currency("EUR"),
                    aCreditLine("D1", "3000", "10.00").currency("USD"),
                    aCreditLine("D2", "3000", "10.00").currency("USD"));

            assertThat(errorsIn(file, 2)).containsExactly(new LineError(2, LedgerColumn.CURRENCY, "USD",
                    "differs from the document's currency EUR on line 1"));
            assertThat(errorsIn(file, 3)).isEmpty();
        }

        @Test
        void ofADocumentIsSetByItsFirstLineWithAWellFormedCurrency() {
            LedgerFile file = aFileOf(
                    aDebitLine("D1", "1000", "10.00").currency("euro"),
                    aDebitLine("D1", "1000", "10.00").currency("SEK").accountCode("1"),
                    aCreditLine("D1", "3000", "20.00").currency("EUR"));

            assertThat(errorsIn(file, 3)).containsExactly(new LineError(3, LedgerColumn.CURRENCY, "EUR",
                    "differs from the document's currency SEK on line 2"));
        }
    }

    @Nested
    class Description {

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"Office chairs", "Ääkköset – 10 € / kpl"})
        void isOptionalFreeText(String value) {
            assertThat(reason(aLine().description(value), LedgerColumn.DESCRIPTION)).isNull();
        }

        @Test
        void hasAtMostTwoHundredCharacters() {
            assertThat(reason(aLine().description("x".repeat(200)), LedgerColumn.DESCRIPTION)).isNull();
            assertThat(reason(aLine().description("x".repeat(201)), LedgerColumn.DESCRIPTION))
                    .isEqualTo("must be at most 200 characters");
        }

        @ParameterizedTest
        @ValueSource(strings = {"line\nbreak", "tab\there", "bell\u0007", "del\u007f", "c1\u0085"})
        void hasNoControlCharacters(String value) {
            assertThat(reason(aLine().description(value), LedgerColumn.DESCRIPTION))
                    .isEqualTo("must not contain control characters");
        }
    }

    @ParameterizedTest
    @EnumSource(value = LedgerColumn.class, names = {"COST_CENTER", "DESCRIPTION"})
    void optionalColumnsMayBeLeftOut(LedgerColumn column) {
        assertThat(errorsOf(aLine().with(column, null))).isEmpty();
    }

    private static List<LineError> errorsOf(LineBuilder line) {
        return LineValidator.validate(line.atLine(1)).errors();
    }

    private static String reason(LineBuilder line, LedgerColumn column) {
        return errorsOf(line).stream()
                .filter(error -> error.field() == column)
                .map(LineError::reason)
                .findFirst()
                .orElse(null);
    }

    private static List<LineError> errorsIn(LedgerFile file, int lineNumber) {
        LedgerLine line = file.lines().get(lineNumber - 1);
        return LineValidator.validate(line, file.documents()).errors();
    }
}
