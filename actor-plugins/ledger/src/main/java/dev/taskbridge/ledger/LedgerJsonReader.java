package dev.taskbridge.ledger;

import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import jakarta.json.JsonException;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParser.Event;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a {@code ledger.validate} JSON payload into a {@link LedgerFile}, checking its shape only:
 * the things a client must fix before the task can be accepted at all. Missing or {@code null}
 * line fields are not shape problems; they are validation findings in the task's report.
 *
 * <p>It streams the body instead of building a JSON tree, so that an oversized file is refused
 * without holding it twice, and it keeps going after a problem so that the client hears about
 * all of them in one answer. Field paths use 0-based array indexes ({@code lines[0]} is line 1).
 */
final class LedgerJsonReader {

    static final String LINES = "lines";
    static final String BODY = PayloadText.BODY;

    /**
     * Most levels of arrays and objects a payload may nest. A ledger file needs three (the file,
     * its lines, a line); the limit sits far below Parsson's own (1,000 by default), which it
     * signals with a bare {@code RuntimeException} that the caller could not tell from a bug.
     */
    static final int MAX_DEPTH = 64;

    private LedgerJsonReader() {
    }

    static LedgerFile read(Payload payload) throws InvalidPayloadException {
        String text = PayloadText.utf8(payload.body());
        if (text.isBlank()) {
            throw new InvalidPayloadException(BODY, "must not be empty");
        }
        PayloadProblems problems = new PayloadProblems();
        List<LedgerLine> lines = new ArrayList<>();
        try (JsonParser json = JsonSupport.PARSERS.createParser(new StringReader(text))) {
            DepthLimitedParser parser = new DepthLimitedParser(json);
            Event first = parser.next();
            if (first == Event.START_OBJECT) {
                readTopLevel(parser, problems, lines);
            } else {
                problems.add(BODY, "must be a JSON object with a \"lines\" array");
                skip(parser, first);
            }
            // reports anything after the top-level value
            parser.hasNext();
        } catch (TooDeeplyNestedException e) {
            problems.add(BODY, "is nested more than " + MAX_DEPTH + " levels deep (" + e.position + ")");
        } catch (JsonParsingException e) {
            problems.add(BODY, "is not valid JSON: " + describe(e));
        } catch (JsonException e) {
            problems.add(BODY, "is not valid JSON: " + e.getMessage());
        }
        if (problems.any()) {
            throw new InvalidPayloadException(problems.list());
        }
        return new LedgerFile(lines);
    }

    private static void readTopLevel(DepthLimitedParser parser, PayloadProblems problems, List<LedgerLine> lines) {
        boolean seenLines = false;
        for (Event event = parser.next(); event != Event.END_OBJECT; event = parser.next()) {
            String name = parser.getString();
            Event value = parser.next();
            if (!LINES.equals(name)) {
                problems.add(name, "is not a known field");
                skip(parser, value);
            } else if (seenLines) {
                problems.add(LINES, "appears more than once");
                skip(parser, value);
            } else {
                seenLines = true;
                if (value == Event.START_ARRAY) {
                    readLines(parser, problems, lines);
                } else {
                    problems.add(LINES, "must be an array of line objects");
                    skip(parser, value);
                }
            }
        }
        if (!seenLines) {
            problems.add(LINES, "is required");
        }
    }

    private static void readLines(DepthLimitedParser parser, PayloadProblems problems, List<LedgerLine> lines) {
        int count = 0;
        for (Event event = parser.next(); event != Event.END_ARRAY; event = parser.next()) {
            if (count >= LedgerFile.MAX_LINES) {
                // keep counting (and checking the syntax) but hold no more lines
                skip(parser, event);
            } else if (event == Event.START_OBJECT) {
                lines.add(readLine(parser, count, problems));
            } else {
                problems.add(path(count), "must be an object");
                skip(parser, event);
            }
            count++;
        }
        if (count == 0) {
            problems.add(LINES, "must not be empty");
        } else if (count > LedgerFile.MAX_LINES) {
            problems.add(LINES, "must have at most " + LedgerFile.MAX_LINES + " lines (found " + count + ")");
        }
    }

    private static LedgerLine readLine(DepthLimitedParser parser, int index, PayloadProblems problems) {
        Map<LedgerColumn, String> values = new EnumMap<>(LedgerColumn.class);
        Set<LedgerColumn> seen = EnumSet.noneOf(LedgerColumn.class);
        for (Event event = parser.next(); event != Event.END_OBJECT; event = parser.next()) {
            String name = parser.getString();
            String field = path(index) + "." + name;
            Event value = parser.next();
            Optional<LedgerColumn> known = LedgerColumn.byName(name);
            if (known.isEmpty()) {
                problems.add(field, "is not a known field");
                skip(parser, value);
                continue;
            }
            LedgerColumn column = known.get();
            if (!seen.add(column)) {
                problems.add(field, "appears more than once");
                skip(parser, value);
                continue;
            }
            switch (value) {
                case VALUE_STRING -> values.put(column, parser.getString());
                // the number's text as written, so "100.50" keeps its scale and errors echo it
                case VALUE_NUMBER -> {
                    if (column.isAmount()) {
                        values.put(column, parser.getString());
                    } else {
                        problems.add(field, "must be a string");
                    }
                }
                case VALUE_NULL -> {
                    // missing values are for validation to report
                }
                default -> {
                    problems.add(field, column.isAmount() ? "must be a string or a number" : "must be a string");
                    skip(parser, value);
                }
            }
        }
        return LedgerLine.of(index + 1, values);
    }

    /** Moves past the value that {@code first} started, however deeply nested. */
    private static void skip(DepthLimitedParser parser, Event first) {
        if (first != Event.START_OBJECT && first != Event.START_ARRAY) {
            return;
        }
        int depth = 1;
        while (depth > 0) {
            Event event = parser.next();
            if (event == Event.START_OBJECT || event == Event.START_ARRAY) {
                depth++;
            } else if (event == Event.END_OBJECT || event == Event.END_ARRAY) {
                depth--;
            }
        }
    }

    private static String path(int index) {
        return LINES + "[" + index + "]";
    }

    private static String describe(JsonParsingException e) {
        String message = e.getMessage();
        JsonLocation at = e.getLocation();
        if (at == null || message.contains("line no=")) {
            return message;
        }
        return message + " at (" + position(at) + ")";
    }

    private static String position(JsonLocation at) {
        return "line no=" + at.getLineNumber() + ", column no=" + at.getColumnNumber() + ", offset=" + at.getStreamOffset();
    }

    /**
     * The parser's events, counting how deep they nest, so that a body of 100,000 opening
     * brackets is refused as a shape problem (a 400) at the first level too many.
     */
    private static final class DepthLimitedParser {

        private final JsonParser parser;
        private int depth;

        DepthLimitedParser(JsonParser parser) {
            this.parser = parser;
        }

        Event next() {
            Event event = parser.next();
            if (event == Event.START_OBJECT || event == Event.START_ARRAY) {
                if (++depth > MAX_DEPTH) {
                    throw new TooDeeplyNestedException(parser.getLocation());
                }
            } else if (event == Event.END_OBJECT || event == Event.END_ARRAY) {
                depth--;
            }
            return event;
        }

        String getString() {
            return parser.getString();
        }

        /** Reads past the end of the top-level value, which reports anything after it. */
        boolean hasNext() {
            return parser.hasNext();
        }
    }

    /** Ends the reading; the problem is reported with the others found before it. */
    private static final class TooDeeplyNestedException extends RuntimeException {

        /** Of the bracket that opened one level too many; the parser stands just after it. */
        private final String position;

        TooDeeplyNestedException(JsonLocation after) {
            super(null, null, false, false);
            this.position = "line no=" + after.getLineNumber() + ", column no=" + (after.getColumnNumber() - 1)
                    + ", offset=" + (after.getStreamOffset() - 1);
        }
    }
}
