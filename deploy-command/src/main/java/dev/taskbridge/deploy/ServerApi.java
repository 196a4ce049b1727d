package dev.taskbridge.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;

/** The running server's REST API, as an admin: what it has not finished, and which plugins it runs. */
final class ServerApi {

    private final URI base;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** @param base the application's root, e.g. {@code http://127.0.0.1:8080/taskbridge} */
    ServerApi(URI base, String user, String password) {
        this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The tasks not final yet per type and version ({@code GET /api/admin/unfinished-tasks}).
     *
     * @throws IllegalStateException the server could not be asked, or did not answer as it should; says why
     */
    List<Unfinished> unfinished() throws IOException, InterruptedException {
        return parse(get("api/admin/unfinished-tasks"));
    }

    /** A plugin the server runs, as {@code GET /api/admin/engine} lists it. */
    record ServerPlugin(String taskType, int typeVersion, String jar, String checksum) {
    }

    /**
     * The plugins the server runs now, the EAR's and the plugin directory's.
     *
     * @throws IllegalStateException as {@link #unfinished()}; a 503 while its engine restarts
     */
    List<ServerPlugin> plugins() throws IOException, InterruptedException {
        String json = get("api/admin/engine");
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            return reader.readObject().getJsonObject("build").getJsonArray("plugins").getValuesAs(JsonObject.class).stream()
                    .map(plugin -> new ServerPlugin(plugin.getString("taskType"), plugin.getInt("typeVersion"), plugin.getString("jar"),
                            plugin.getString("checksum")))
                    .toList();
        } catch (JsonException | ClassCastException | NullPointerException e) {
            throw new IllegalStateException("the answer is not the engine's facts the API writes (" + e.getMessage() + "): "
                    + abbreviate(json));
        }
    }

    /**
     * What readiness says the plugin directory's last look refused ({@code pluginProblem.N} of the
     * {@code taskbridge-engine} check), from the management interface's health endpoint.
     *
     * @param management e.g. {@code http://127.0.0.1:9990}
     */
    List<String> pluginProblems(URI management) throws IOException, InterruptedException {
        URI uri = URI.create(management.toString().replaceAll("/+$", "") + "/health/ready");
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(uri + " could not be asked: " + e);
        }
        // 503 is readiness DOWN, with the same body
        try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
            List<String> problems = new ArrayList<>();
            for (JsonObject check : reader.readObject().getJsonArray("checks").getValuesAs(JsonObject.class)) {
                JsonObject data = check.getString("name").equals("taskbridge-engine") ? check.getJsonObject("data") : null;
                for (int i = 1; data != null && data.containsKey("pluginProblem." + i); i++) {
                    problems.add(data.getString("pluginProblem." + i));
                }
            }
            return problems;
        } catch (JsonException | ClassCastException | NullPointerException e) {
            throw new IllegalStateException(uri + " did not answer as WildFly's health endpoint does (" + e.getMessage() + "): "
                    + abbreviate(response.body()));
        }
    }

    private String get(String path) throws IOException, InterruptedException {
        URI uri = base.resolve(path);
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                    .header("Authorization", authorization).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IllegalStateException("no server answers at " + uri + " (" + e.getMessage() + "): is it running, and is --url right?");
        } catch (HttpTimeoutException e) {
            throw new IllegalStateException(uri + " did not answer in time (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new IllegalStateException(uri + " could not be asked: " + e);
        }
        switch (response.statusCode()) {
            case 200 -> {
                return response.body();
            }
            case 401 -> throw new IllegalStateException(uri + " refused the user and password (401): set TASKBRIDGE_DEPLOY_USER and TASKBRIDGE_DEPLOY_PASSWORD");
            case 403 -> throw new IllegalStateException(uri + " answered 403: the deploy check needs a user with the admin role");
            case 404 -> throw new IllegalStateException(uri + " answered 404: the server runs a Taskbridge without the deploy check, or --url is not the application's root");
            case 503 -> throw new IllegalStateException(uri + " answered 503: the server's task engine is not running (" + abbreviate(response.body())
                    + "), so what it has not finished cannot be read; try again once it runs, or, knowing what that skips, deploy with jboss-cli.sh yourself");
            default -> throw new IllegalStateException(uri + " answered " + response.statusCode() + ": " + abbreviate(response.body()));
        }
    }

    /** @throws IllegalStateException the answer is not the list the API writes (a proxy's page, another application) */
    static List<Unfinished> parse(String json) {
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            return reader.readArray().getValuesAs(JsonObject.class).stream()
                    .map(row -> new Unfinished(row.getString("taskType"), row.getInt("version"), row.getJsonNumber("tasks").longValue(),
                            row.getJsonArray("firstIds").getValuesAs(JsonString::getString)))
                    .toList();
        } catch (JsonException | ClassCastException | NullPointerException e) {
            throw new IllegalStateException("the answer is not the list of unfinished tasks the API writes (" + e.getMessage() + "): "
                    + abbreviate(json));
        }
    }

    private static String abbreviate(String body) {
        return body.length() <= 500 ? body : body.substring(0, 500) + "...";
    }
}
