package dev.taskbridge.it;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of Taskbridge's metrics ({@code GET /api/metrics}), as a Prometheus server with the role monitor. */
final class Prometheus {

    /** {@code name{labels} value}, or {@code name value}. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)$");

    /** Series (name and labels as printed) to value. */
    private final Map<String, Double> series;

    private Prometheus(Map<String, Double> series) {
        this.series = series;
    }

    /** @param api the API's base, e.g. {@link ServerProcess#BASE_URL} */
    static Prometheus scrape(String api) {
        Api.Reply reply = Api.as("prometheus").at(api).get("/metrics", "text/plain");
        if (reply.status() != 200) {
            throw new AssertionError("scrape failed: " + reply);
        }
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : reply.body().split("\n")) {
            Matcher sample = SAMPLE.matcher(line.strip());
            if (!line.startsWith("#") && sample.matches()) {
                String labels = sample.group(2) == null ? "" : sample.group(2);
                series.put(sample.group(1) + labels, Double.parseDouble(sample.group(3)));
            }
        }
        return new Prometheus(series);
    }

    /** Whether a series of this name has all these labels, e.g. {@code type="it.rows"}. */
    boolean has(String name, String... labels) {
        return series.keySet().stream().anyMatch(key -> matches(key, name, labels));
    }

    /** The sum over the series of this name with all these labels; 0 if there is none. */
    double value(String name, String... labels) {
        return series.entrySet().stream().filter(entry -> matches(entry.getKey(), name, labels))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private static boolean matches(String key, String name, String... labels) {
        if (!(key.equals(name) || key.startsWith(name + "{"))) {
            return false;
        }
        for (String label : labels) {
            if (!key.contains(label)) {
                return false;
            }
        }
        return true;
    }
}
