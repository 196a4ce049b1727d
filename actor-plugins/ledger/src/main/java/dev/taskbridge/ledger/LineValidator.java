package dev.taskbridge.ledger;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Currency;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The business rules for one ledger line, independent of the input format, so that every reader
 * (JSON now, CSV later) produces the same findings.
 *
 * <p>Each column gets at most one error (its first broken rule), and all columns are checked, so
 * a clerk sees everything wrong with a line at once. Codes accept ASCII letters only; values are
 * not trimmed, because a code with a stray space would not match the ledger's own data later.
 * A value that is empty or only blanks counts as missing.
 *
 * <p>Debit and credit: exactly one must be greater than zero. When both are zero or missing the
 * error is on {@code debit}; when both are positive it is on {@code credit}. The rule is only
 * checked once both amounts are well formed, so a malformed amount is reported alone.
 */
final class LineValidator {

    static final int MAX_DOCUMENT_NUMBER_LENGTH = 20;
    static final int MIN_ACCOUNT_CODE_DIGITS = 4;
    static final int MAX_ACCOUNT_CODE_DIGITS = 10;
    static final int MAX_COST_CENTER_LENGTH = 10;
    static final int MAX_AMOUNT_DECIMALS = 2;
    static final int MAX_AMOUNT_INTEGER_DIGITS = 13;
    static final int MAX_DESCRIPTION_LENGTH = 200;

    static final String REQUIRED = "is required";
    static final String ONE_OF_DEBIT_AND_CREDIT =
            "exactly one of debit and credit must be greater than zero";


    private LineValidator() {
    }

    /** Checks a line on its own, without the document-currency rule. */
    static CheckedLine validate(LedgerLine line) {
        return validate(line, Documents.NONE);
    }

    /** Checks a line, including that it uses its document's currency and follows its document's other lines. */
    static CheckedLine validate(LedgerLine line, Documents documents) {
        Map<LedgerColumn, String> problems = new EnumMap<>(LedgerColumn.class);
        put(problems, LedgerColumn.DOCUMENT_NUMBER, documentNumberProblem(line.documentNumber()));
        put(problems, LedgerColumn.POSTING_DATE, postingDateProblem(line.postingDate()));
        put(problems, LedgerColumn.ACCOUNT_CODE, accountCodeProblem(line.accountCode()));
        put(problems, LedgerColumn.COST_CENTER, costCenterProblem(line.costCenter()));
        put(problems, LedgerColumn.DEBIT, amountProblem(line.debit()));
        put(problems, LedgerColumn.CREDIT, amountProblem(line.credit()));
        put(problems, LedgerColumn.CURRENCY, currencyProblem(line.currency()));
        put(problems, LedgerColumn.DESCRIPTION, descriptionProblem(line.description()));

        BigDecimal debit = null;
        BigDecimal credit = null;
        if (!problems.containsKey(LedgerColumn.DEBIT) && !problems.containsKey(LedgerColumn.CREDIT)) {
            debit = amount(line.debit());
            credit = amount(line.credit());
            boolean debitPositive = debit.signum() > 0;
            boolean creditPositive = credit.signum() > 0;
            if (debitPositive == creditPositive) {
                problems.put(creditPositive ? LedgerColumn.CREDIT : LedgerColumn.DEBIT,
                        ONE_OF_DEBIT_AND_CREDIT);
            }
        }
        if (!problems.containsKey(LedgerColumn.CURRENCY)
                && !problems.containsKey(LedgerColumn.DOCUMENT_NUMBER)) {
            documents.currencyOf(line.documentNumber())
                    .filter(first -> !first.currency().equals(line.currency()))
                    .ifPresent(first -> problems.put(LedgerColumn.CURRENCY,
                            "differs from the document's currency " + first.currency()
                                    + " on line " + first.lineNumber()));
        }

        if (!problems.containsKey(LedgerColumn.DOCUMENT_NUMBER)) {
            documents.firstBlockIfReopened(line).ifPresent(block -> problems.put(LedgerColumn.DOCUMENT_NUMBER,
                    "was used for lines " + block.firstLine() + "-" + block.lastLine()
                            + " already; a document's lines must follow one another"));
        }

        if (problems.isEmpty()) {
            return new CheckedLine(line, debit, credit, List.of());
        }
        List<LineError> errors = new ArrayList<>(problems.size());
        // EnumMap iterates in column order, which is the report order within a line
        problems.forEach((column, reason) -> errors.add(LineError.of(line, column, reason)));
        return new CheckedLine(line, null, null, errors);
    }

    static String documentNumberProblem(String value) {
        if (isMissing(value)) {
            return REQUIRED;
        }
        if (value.codePointCount(0, value.length()) > MAX_DOCUMENT_NUMBER_LENGTH) {
            return "must be at most " + MAX_DOCUMENT_NUMBER_LENGTH + " characters";
        }
        if (!allOf(value, 0, value.length(), c -> letterOrDigit(c) || c == '/' || c == '_' || c == '-')) {
            return "may contain only letters, digits, '-', '_' and '/'";
        }
        return null;
    }

    static String postingDateProblem(String value) {
        if (isMissing(value)) {
            return REQUIRED;
        }
        if (!isDateForm(value)) {
            return "must be a date in the form yyyy-MM-dd";
        }
        return date(value) == null ? "is not a real calendar date" : null;
    }

    /**
     * A date of the form {@code yyyy-MM-dd} (already matched), or null if that day does not exist,
     * e.g. 2026-02-30. Read by hand: a formatter costs more than the rest of a line's checks.
     */
    static LocalDate date(String value) {
        try {
            return LocalDate.of(Integer.parseInt(value, 0, 4, 10), Integer.parseInt(value, 5, 7, 10),
                    Integer.parseInt(value, 8, 10, 10));
        } catch (DateTimeException e) {
            return null;
        }
    }

    static String accountCodeProblem(String value) {
        if (isMissing(value)) {
            return REQUIRED;
        }
        if (value.length() < MIN_ACCOUNT_CODE_DIGITS || value.length() > MAX_ACCOUNT_CODE_DIGITS
                || !allOf(value, 0, value.length(), LineValidator::digit)) {
            return "must be " + MIN_ACCOUNT_CODE_DIGITS + " to " + MAX_ACCOUNT_CODE_DIGITS + " digits";
        }
        return null;
    }

    static String costCenterProblem(String value) {
        if (isMissing(value)) {
            return null;
        }
        if (value.codePointCount(0, value.length()) > MAX_COST_CENTER_LENGTH) {
            return "must be at most " + MAX_COST_CENTER_LENGTH + " characters";
        }
        if (!allOf(value, 0, value.length(), c -> letterOrDigit(c) || c == '-')) {
            return "may contain only letters, digits and '-'";
        }
        return null;
    }

    /** Checks the text only, so that an absurdly long number is refused without parsing it. */
    static String amountProblem(String value) {
        if (isMissing(value)) {
            return null;
        }
        if (!isAmountForm(value)) {
            return "must be a decimal number such as 1234.50";
        }
        boolean minus = value.charAt(0) == '-';
        String unsigned = minus ? value.substring(1) : value;
        int point = unsigned.indexOf('.');
        String integerPart = point < 0 ? unsigned : unsigned.substring(0, point);
        String fraction = point < 0 ? "" : unsigned.substring(point + 1);
        boolean zero = onlyZeros(integerPart, 0) && onlyZeros(fraction, 0);
        // "-0.00" is zero, not a negative amount
        if (minus && !zero) {
            return "must not be negative";
        }
        if (fraction.length() > MAX_AMOUNT_DECIMALS) {
            return "must have at most " + MAX_AMOUNT_DECIMALS + " decimal places";
        }
        int leadingZeros = 0;
        while (leadingZeros < integerPart.length() && integerPart.charAt(leadingZeros) == '0') {
            leadingZeros++;
        }
        int integerDigits = integerPart.length() - leadingZeros;
        if (integerDigits > MAX_AMOUNT_INTEGER_DIGITS) {
            return "must have at most " + MAX_AMOUNT_INTEGER_DIGITS + " digits before the decimal point";
        }
        return null;
    }

    static String currencyProblem(String value) {
        if (isMissing(value)) {
            return REQUIRED;
        }
        if (value.length() != 3 || !allOf(value, 0, 3, c -> c >= 'A' && c <= 'Z')) {
            return "must be 3 upper-case letters";
        }
        try {
            Currency.getInstance(value);
            return null;
        } catch (IllegalArgumentException e) {
            return "is not a known ISO 4217 currency code";
        }
    }

    static String descriptionProblem(String value) {
        if (value == null) {
            return null;
        }
        if (value.codePointCount(0, value.length()) > MAX_DESCRIPTION_LENGTH) {
            return "must be at most " + MAX_DESCRIPTION_LENGTH + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return "must not contain control characters";
            }
        }
        return null;
    }

    // These checks run for every line of files of many thousands of lines: plain loops over
    // ASCII characters, rather than regular expressions and streams that allocate per call.

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean letterOrDigit(char c) {
        return digit(c) || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
    }

    /** Characters {@code from} (inclusive) to {@code to} (exclusive), at least one, all pass. */
    private static boolean allOf(String value, int from, int to, CharTest test) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!test.passes(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    @FunctionalInterface
    private interface CharTest {
        boolean passes(char c);
    }

    /** {@code yyyy-MM-dd}: four digits, a dash, two digits, a dash, two digits. */
    private static boolean isDateForm(String value) {
        return value.length() == 10 && value.charAt(4) == '-' && value.charAt(7) == '-'
                && allOf(value, 0, 4, LineValidator::digit) && allOf(value, 5, 7, LineValidator::digit)
                && allOf(value, 8, 10, LineValidator::digit);
    }

    /** An optional minus, digits, and optionally a point and more digits: {@code -12.5}, {@code 0.00}. */
    private static boolean isAmountForm(String value) {
        int start = value.startsWith("-") ? 1 : 0;
        int point = value.indexOf('.');
        if (point < 0) {
            return allOf(value, start, value.length(), LineValidator::digit);
        }
        return allOf(value, start, point, LineValidator::digit) && allOf(value, point + 1, value.length(), LineValidator::digit);
    }

    private static boolean onlyZeros(String digits, int from) {
        for (int i = from; i < digits.length(); i++) {
            if (digits.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    /** A well-formed amount as a number; missing counts as zero. */
    static BigDecimal amount(String value) {
        return isMissing(value) ? BigDecimal.ZERO : new BigDecimal(value);
    }

    private static boolean isMissing(String value) {
        return value == null || value.isBlank();
    }

    private static void put(Map<LedgerColumn, String> problems, LedgerColumn column, String reason) {
        if (reason != null) {
            problems.put(column, reason);
        }
    }
}
