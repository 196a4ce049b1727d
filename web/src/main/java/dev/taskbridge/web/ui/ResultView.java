package dev.taskbridge.web.ui;

import java.io.Serializable;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;

/**
 * A task's result document, laid out for a page without knowing the task type: its plain values
 * as a list, its lists of objects as tables (the errors of a ledger file, say), its lists of
 * values as lists. Long lists are cut at {@link #MAX_ROWS}; the task's exports have them whole.
 */
public record ResultView(List<Field> fields, List<Table> tables, List<ValueList> lists, String raw)
        implements Serializable {

    static final int MAX_ROWS = 500;

    public record Field(String name, String value) implements Serializable {
    }

    /** @param total rows in the result; {@code rows} holds at most {@link #MAX_ROWS} */
    public record Table(String name, List<String> columns, List<List<String>> rows, int total) implements Serializable {

        public boolean isCut() {
            return total > rows.size();
        }
    }

    public record ValueList(String name, List<String> values, int total) implements Serializable {

        public boolean isCut() {
            return total > values.size();
        }
    }

    static ResultView of(String result) {
        if (result == null) {
            return null;
        }
        JsonValue document;
        try (JsonReader reader = Json.createReader(new StringReader(result))) {
            document = reader.readValue();
        } catch (JsonParsingException e) {
            return new ResultView(List.of(), List.of(), List.of(), result);
        }
        if (document.getValueType() != JsonValue.ValueType.OBJECT) {
            return new ResultView(List.of(), List.of(), List.of(), result);
        }
        List<Field> fields = new ArrayList<>();
        List<Table> tables = new ArrayList<>();
        List<ValueList> lists = new ArrayList<>();
        for (Map.Entry<String, JsonValue> entry : document.asJsonObject().entrySet()) {
            JsonValue value = entry.getValue();
            switch (value.getValueType()) {
                case ARRAY -> {
                    List<JsonValue> items = value.asJsonArray();
                    if (!items.isEmpty() && items.stream().allMatch(item -> item.getValueType() == JsonValue.ValueType.OBJECT)) {
                        tables.add(table(entry.getKey(), items));
                    } else {
                        lists.add(new ValueList(entry.getKey(), items.stream().limit(MAX_ROWS).map(ResultView::text).toList(),
                                items.size()));
                    }
                }
                case OBJECT -> fields.add(new Field(entry.getKey(), value.toString()));
                default -> fields.add(new Field(entry.getKey(), text(value)));
            }
        }
        return new ResultView(fields, tables, lists, null);
    }

    private static Table table(String name, List<JsonValue> items) {
        Set<String> columns = new LinkedHashSet<>();
        items.stream().limit(MAX_ROWS).forEach(item -> columns.addAll(item.asJsonObject().keySet()));
        List<List<String>> rows = new ArrayList<>();
        for (JsonValue item : items.subList(0, Math.min(items.size(), MAX_ROWS))) {
            JsonObject object = item.asJsonObject();
            rows.add(columns.stream().map(column -> object.containsKey(column) ? text(object.get(column)) : "").toList());
        }
        return new Table(name, List.copyOf(columns), rows, items.size());
    }

    private static String text(JsonValue value) {
        return switch (value.getValueType()) {
            case STRING -> ((JsonString) value).getString();
            case NULL -> "";
            default -> value.toString();
        };
    }

    /** A field's value by name, or null. */
    public String field(String name) {
        return fields.stream().filter(field -> field.name().equals(name)).map(Field::value).findFirst().orElse(null);
    }

    public Table table(String name) {
        return tables.stream().filter(table -> table.name().equals(name)).findFirst().orElse(null);
    }
}
