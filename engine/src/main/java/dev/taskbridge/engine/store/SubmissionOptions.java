package dev.taskbridge.engine.store;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * A submission's options in their column: form-encoded ({@code name=value&name=value}, UTF-8),
 * sorted by name. A format the JDK reads and writes, and that people can read in the table.
 */
final class SubmissionOptions {

    private SubmissionOptions() {
    }

    /** @return null for no options */
    static String encode(Map<String, String> options) {
        if (options.isEmpty()) {
            return null;
        }
        StringJoiner encoded = new StringJoiner("&");
        new TreeMap<>(options).forEach((name, value) -> encoded.add(
                URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return encoded.toString();
    }

    static Map<String, String> decode(String encoded) {
        Map<String, String> options = new TreeMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return options;
        }
        for (String pair : encoded.split("&")) {
            int equals = pair.indexOf('=');
            options.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
        return options;
    }
}
