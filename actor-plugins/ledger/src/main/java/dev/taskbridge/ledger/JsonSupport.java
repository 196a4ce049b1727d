package dev.taskbridge.ledger;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.util.Map;

/**
 * The JSON-P provider, looked up once. Looking it up per call repeats a service-loader search;
 * keeping it in a holder class defers the lookup to the first payload, so the task type's
 * constructor stays cheap. The factories are thread-safe.
 */
final class JsonSupport {

    static final JsonProvider PROVIDER = JsonProvider.provider();

    static final JsonParserFactory PARSERS = PROVIDER.createParserFactory(Map.of());

    /** Without configuration the generator writes compact JSON, which keeps chunk data small. */
    static final JsonGeneratorFactory GENERATORS = PROVIDER.createGeneratorFactory(Map.of());

    static final JsonReaderFactory READERS = PROVIDER.createReaderFactory(Map.of());

    private JsonSupport() {
    }

    /** Reads the JSON object that chunk data or a report holds. */
    static JsonObject readObject(String json) {
        try (JsonReader reader = READERS.createReader(new StringReader(json))) {
            return reader.readObject();
        }
    }
}
