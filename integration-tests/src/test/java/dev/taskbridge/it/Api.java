package dev.taskbridge.it;

import static org.awaitility.Awaitility.await;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonStructure;
import org.awaitility.core.ConditionTimeoutException;

/** A real HTTP client for the REST API, as one demo user. */
final class Api {

    static final String BASE = "http://127.0.0.1:8080/taskbridge/api";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final HttpClient http;
    private final String base;
    private final String authorization;

    private Api(HttpClient http, String base, String authorization) {
        this.http = http;
        this.base = base;
        this.authorization = authorization;
    }

    /** The same user against another server, e.g. {@code http://127.0.0.1:8180/taskbridge/api}. */
    Api at(String otherBase) {
        return new Api(http, otherBase, authorization);
    }

    /** The same user through another client, e.g. one that trusts a server's own certificate. */
    Api through(HttpClient client) {
        return new Api(client, base, authorization);
    }

    /** Calls as a demo user whose password equals the user name (demo only). */
    static Api as(String user) {
        return as(user, user);
    }

    static Api as(String user, String password) {
        return new Api(HTTP, BASE, "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    static Api anonymous() {
        return new Api(HTTP, BASE, null);
    }

    /**
     * The task at {@code location} once it has ended, or as it was when the time ran out: a test
     * that then asserts its status says what the task was doing, not only that time ran out.
     */
    JsonObject awaitEnd(String location, Duration within) {
        AtomicReference<JsonObject> last = new AtomicReference<>();
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonObject task = get(location).object();
                last.set(task);
                return List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(task.getString("status"));
            });
        } catch (ConditionTimeoutException stillGoing) {
            // the last one seen is the answer
        }
        return last.get() != null ? last.get() : get(location).object();
    }

    Reply get(String path) {
        return send(request(path).GET());
    }

    Reply get(String path, String accept) {
        return send(request(path).setHeader("Accept", accept).GET());
    }

    Reply post(String path, String contentType, String body) {
        return post(path, contentType, body, null);
    }

    Reply post(String path, String contentType, String body, String idempotencyKey) {
        return post(path, contentType, HttpRequest.BodyPublishers.ofString(body), idempotencyKey);
    }

    Reply put(String path, String contentType, String body) {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", contentType));
    }

    Reply delete(String path) {
        return send(request(path).DELETE());
    }

    /** A body of raw bytes, which need not be text in any encoding. */
    Reply post(String path, String contentType, byte[] body) {
        return post(path, contentType, HttpRequest.BodyPublishers.ofByteArray(body), null);
    }

    private Reply post(String path, String contentType, HttpRequest.BodyPublisher body, String idempotencyKey) {
        HttpRequest.Builder request = request(path).POST(body);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(request);
    }

    /** A multipart form upload: one file field, and other fields as text. */
    Reply postForm(String path, String fileField, String fileName, String fileType, String content,
                   java.util.Map<String, String> fields) {
        String boundary = "taskbridge-" + java.util.UUID.randomUUID();
        StringBuilder body = new StringBuilder();
        fields.forEach((name, value) -> body.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n")
                .append(value).append("\r\n"));
        body.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(fileField).append("\"; filename=\"")
                .append(fileName).append("\"\r\n")
                .append("Content-Type: ").append(fileType).append("\r\n\r\n")
                .append(content).append("\r\n")
                .append("--").append(boundary).append("--\r\n");
        return send(request(path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** The lines of a server-sent event stream, until the server ends it (at most 30 s). */
    List<String> stream(String path) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> response = http.send(request(path).setHeader("Accept", "text/event-stream")
                .GET().build(), HttpResponse.BodyHandlers.ofLines());
        try (java.util.stream.Stream<String> lines = response.body()) {
            return lines.toList();
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().firstValue("Location").orElse(null),
                    response.headers().firstValue("WWW-Authenticate").orElse(null),
                    response.headers().firstValue("Retry-After").orElse(null), response.body(), response.headers());
        } catch (Exception e) {
            throw new IllegalStateException("request failed: " + e, e);
        }
    }

    /** A response: status, the headers tests look at, and the body. */
    record Reply(int status, String location, String wwwAuthenticate, String retryAfter, String body,
                 java.net.http.HttpHeaders headers) {

        /** The first value of the header, or null. */
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        JsonStructure json() {
            try (JsonReader reader = Json.createReader(new StringReader(body))) {
                return reader.read();
            } catch (RuntimeException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        JsonObject object() {
            return json().asJsonObject();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
