package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.taskbridge.it.plugin.RowAuditTaskType;
import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who may do what, as the README's table of roles says: every endpoint of the API and every page,
 * as every role and as nobody, in one table. The tasks acted on belong to {@code clerk};
 * {@code clerk2} is another clerk, {@code supervisor} is supervisor and clerk, {@code admin}
 * (demo) is admin, supervisor and clerk, {@code operator} (a test user) has the admin role
 * alone, and {@code prometheus} (a test user) the role monitor alone, which reads metrics and nothing else. API calls authenticate with BASIC, pages with a session from the login page.
 *
 * <p>An outcome is the status, and for some rows what the answer shows: {@code trace} (the stack
 * trace), {@code others} (tasks of other users), {@code cancel} and {@code retry} (the page's buttons).
 */
@ExtendWith(ArquillianExtension.class)
class RoleMatrixIT {

    private static final List<String> WHO = List.of("anonymous", "clerk", "clerk2", "supervisor", "admin", "operator",
            "prometheus");
    private static final String API = Http.APP + "/api";

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.earWithTestPlugins();
    }

    /** One row: what is asked, and the outcome expected for each of {@link #WHO}, in that order. */
    private record Row(String what, Function<Caller, String> ask, String... expected) {
    }

    /** A caller: BASIC for the API, a session for pages; nobody has neither. */
    private record Caller(String name, Http api, Http pages, String authorization) {

        Http.Reply api(String method, String path, String contentType, String body) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Accept", path.endsWith("/events") ? "text/event-stream" : "*/*");
            if (authorization != null) {
                headers.put("Authorization", authorization);
            }
            if (path.endsWith("/events")) {
                // a stream that may never end: its headers, then the connection closes, as a browser's does
                return Http.rawGet("127.0.0.1", "/taskbridge/api" + path, headers);
            }
            if (contentType != null) {
                headers.put("Content-Type", contentType);
            }
            return api.send(method, API + path, headers, body);
        }

        Http.Reply page(String path) {
            return pages.send("GET", Http.APP + path, Map.of("Accept", "text/html"), null);
        }
    }

    @Test
    void everyEndpointAndPageAsEveryRoleAndAsNobody() {
        String failed = failedTask();
        String checked = ledgerTaskWithErrors();

        List<Row> rows = List.of(
                new Row("GET /api/task-types", c -> status(c.api("GET", "/task-types", null, null)),
                        "401", "200", "200", "200", "200", "200", "403"),
                new Row("POST /api/task-types/{type}/tasks", c -> status(c.api("POST", "/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain",
                        "chunks=1,rows=1,sleepMillis=0")),
                        "401", "202", "202", "202", "202", "202", "403"),
                new Row("GET /api/tasks", c -> withOthers(c, c.api("GET", "/tasks?limit=500", null, null)),
                        "401", "200", "200", "200 others", "200 others", "200 others", "403"),
                new Row("GET /api/tasks/counts", c -> status(c.api("GET", "/tasks/counts", null, null)),
                        "401", "200", "200", "200", "200", "200", "403"),
                new Row("GET /api/tasks/{id} (failed)", c -> withTrace(c.api("GET", "/tasks/" + failed, null, null)),
                        "401", "200", "404", "200 trace", "200 trace", "200 trace", "403"),
                new Row("GET /api/tasks/{id}/history", c -> status(c.api("GET", "/tasks/" + failed + "/history", null, null)),
                        "401", "200", "404", "200", "200", "200", "403"),
                new Row("GET /api/tasks/{id}/events", c -> status(c.api("GET", "/tasks/" + failed + "/events", null, null)),
                        "401", "200", "404", "200", "200", "200", "403"),
                new Row("GET /api/tasks/{id}/exports/errors.csv", c -> status(c.api("GET", "/tasks/" + checked
                        + "/exports/errors.csv", null, null)),
                        "401", "200", "404", "200", "200", "200", "403"),
                new Row("GET /api/tasks/{id}/errors", c -> status(c.api("GET", "/tasks/" + checked + "/errors", null, null)),
                        "401", "200", "404", "200", "200", "200", "403"),
                new Row("POST /api/tasks/{id}/cancel (running)", c -> whileRunning(id ->
                        status(c.api("POST", "/tasks/" + id + "/cancel", null, null))),
                        "401", "200", "404", "200", "200", "200", "403"),
                new Row("POST /api/tasks/{id}/retry (failed)", c -> status(c.api("POST", "/tasks/" + failedTask() + "/retry", null, null)),
                        "401", "403", "403", "200", "200", "403", "403"),
                new Row("POST /api/task-types/{type}/pause, /resume", c -> {
                    String pause = status(c.api("POST", "/task-types/" + RowAuditTaskType.ID + "/pause", null, null));
                    return pause + "/" + status(c.api("POST", "/task-types/" + RowAuditTaskType.ID + "/resume", null, null));
                },
                        "401/401", "403/403", "403/403", "200/200", "200/200", "200/200", "403/403"),
                new Row("GET /api/events", c -> status(c.api("GET", "/events", null, null)),
                        "401", "200", "200", "200", "200", "200", "403"),
                new Row("GET /api/admin/engine", c -> status(c.api("GET", "/admin/engine", null, null)),
                        "401", "403", "403", "403", "200", "200", "403"),
                new Row("GET /api/admin/unfinished-tasks", c -> status(c.api("GET", "/admin/unfinished-tasks", null, null)),
                        "401", "403", "403", "403", "200", "200", "403"),
                new Row("GET /api/metrics", c -> status(c.api("GET", "/metrics", null, null)),
                        "401", "403", "403", "403", "200", "200", "200"),
                new Row("GET /openapi (public)", c -> status(c.api.send("GET", Http.APP + "/openapi", Map.of(), null)),
                        "200", "200", "200", "200", "200", "200", "200"),
                new Row("page /login.xhtml", c -> status(c.page("/login.xhtml")),
                        "200", "200", "200", "200", "200", "200", "200"),
                new Row("page / (dashboard)", c -> status(c.page("/")),
                        "302", "200", "200", "200", "200", "200", "403"),
                new Row("page /index.xhtml", c -> withOwnerFilter(c.page("/index.xhtml")),
                        "302", "200", "200", "200 others", "200 others", "200 others", "403"),
                new Row("page /submit.xhtml", c -> status(c.page("/submit.xhtml?type=ledger.post")),
                        "302", "200", "200", "200", "200", "200", "403"),
                new Row("page /task.xhtml (failed)", c -> taskPage(c.page("/task.xhtml?id=" + failed)),
                        "302", "200", "200 not found", "200 trace retry", "200 trace retry", "200 trace", "403"),
                new Row("page /task.xhtml (running)", c -> whileRunning(id -> taskPage(c.page("/task.xhtml?id=" + id))),
                        "302", "200 cancel", "200 not found", "200 cancel", "200 cancel", "200 cancel", "403"),
                new Row("page /types.xhtml", c -> status(c.page("/types.xhtml")),
                        "302", "403", "403", "403", "200", "200", "403"),
                new Row("GET /api/schedules", c -> status(c.api("GET", "/schedules", null, null)),
                        "401", "403", "403", "200", "200", "200", "403"),
                new Row("POST /api/schedules, DELETE /api/schedules/{id}", c -> {
                    Http.Reply created = c.api("POST", "/schedules", "application/json", SchedulesIT.schedule(Map.of(
                            "name", "by " + c.name() + " " + java.util.UUID.randomUUID(), "taskType", RowWritingTaskType.ID, "mediaType", "text/plain",
                            "payload", "chunks=1", "interval", "PT1H")));
                    String location = created.header("Location");
                    return status(created) + "/" + (location == null ? "-"
                            : status(c.api("DELETE", location.substring(location.indexOf("/schedules")), null, null)));
                },
                        "401/-", "403/-", "403/-", "201/204", "201/204", "201/204", "403/-"),
                new Row("page /schedules.xhtml", c -> status(c.page("/schedules.xhtml")),
                        "302", "403", "403", "200", "200", "200", "403"));

        List<Caller> callers = WHO.stream().map(RoleMatrixIT::caller).toList();
        List<String> table = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (Row row : rows) {
            StringBuilder line = new StringBuilder(String.format("%-42s", row.what()));
            for (int i = 0; i < callers.size(); i++) {
                String outcome = row.ask().apply(callers.get(i));
                line.append(String.format(" | %-16s", outcome));
                if (!outcome.equals(row.expected()[i])) {
                    wrong.add(row.what() + " as " + WHO.get(i) + ": " + outcome + ", expected " + row.expected()[i]);
                }
            }
            table.add(line.toString());
        }
        assertThat(wrong).as("the role matrix as it is:\n" + String.format("%-42s", "") + WHO.stream()
                .map(w -> String.format(" | %-16s", w)).reduce("", String::concat) + "\n" + String.join("\n", table)).isEmpty();
    }

    /** A fully qualified Java class name (two package segments or more, then a capitalised name), or an exception's name. */
    private static final java.util.regex.Pattern CLASS_NAME =
            java.util.regex.Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.){2,}[A-Z][A-Za-z0-9_$]*|\\b[A-Z]\\w*(?:Exception|Error)\\b");

    /**
     * A clerk reads plain words: no class of a plugin, of an exception or of the server anywhere in
     * their failed task (as JSON, in the list, in its history, on its page) or in the task types.
     * Supervisors and admins see why, in the stack trace; admins see the plugin classes.
     */
    @Test
    void aClerkMeetsNoClassNamesWhereOperatorsSeeTheTraceAndThePlugins() {
        String failed = failedTask();
        Api clerk = Api.as("clerk");

        JsonObject task = clerk.get("/tasks/" + failed).object();
        assertThat(task.getJsonObject("error").getString("message")).as(task.toString())
                .doesNotMatch("(?s).*" + CLASS_NAME.pattern() + ".*")
                .contains(task.getJsonObject("error").getString("reference"));
        for (String path : List.of("/tasks/" + failed, "/tasks/" + failed + "/history", "/tasks?limit=500", "/task-types")) {
            String body = clerk.get(path).body();
            assertThat(CLASS_NAME.matcher(body).results().map(java.util.regex.MatchResult::group).toList())
                    .as("class names a clerk meets in " + path + ": " + body).isEmpty();
        }
        String page = Http.session("clerk").send("GET", Http.APP + "/task.xhtml?id=" + failed, Map.of("Accept", "text/html"), null).body()
                .replace("jakarta.faces.ViewState", ""); // the form field Faces names so, no class
        assertThat(page).contains("id=\"error-message\"");
        assertThat(CLASS_NAME.matcher(page).results().map(java.util.regex.MatchResult::group).toList())
                .as("class names on the clerk's task page").isEmpty();

        JsonObject seen = Api.as("supervisor").get("/tasks/" + failed).object().getJsonObject("error");
        assertThat(seen.getString("stackTrace")).contains("java.lang.IllegalStateException: chunk 0 fails this once (on purpose)");
        JsonObject asAdmin = Api.as("admin").get("/task-types").json().asJsonArray().getValuesAs(JsonObject.class).stream()
                .filter(type -> type.getString("id").equals(RowWritingTaskType.ID)).findFirst().orElseThrow();
        assertThat(asAdmin.getString("pluginClass")).isEqualTo(RowWritingTaskType.class.getName());
    }

    /** The errors of a task without a result, or of a type that lists none, are a conflict, as its export is. */
    @Test
    void errorsOfATaskWithoutResultOrOfATypeWithoutErrorsAreAConflict() {
        Api clerk = Api.as("clerk");
        Api.Reply failed = clerk.get("/tasks/" + failedTask() + "/errors");
        assertThat(failed.status()).as(failed.toString()).isEqualTo(409);
        assertThat(failed.object().getString("message")).contains("FAILED", "no result");

        String rows = clerk.post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", "chunks=1,rows=1,sleepMillis=0").object().getString("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> clerk.get("/tasks/" + rows).object().getString("status").equals("SUCCEEDED"));
        Api.Reply noErrors = clerk.get("/tasks/" + rows + "/errors");
        assertThat(noErrors.status()).as(noErrors.toString()).isEqualTo(409);
        assertThat(noErrors.object().getString("message")).contains(RowWritingTaskType.ID, "list no errors");
        assertThat(clerk.get("/tasks/no-such-task/errors").status()).isEqualTo(404);
    }

    private static Caller caller(String who) {
        if (who.equals("anonymous")) {
            return new Caller(who, Http.client(), Http.client(), null);
        }
        return new Caller(who, Http.client(), Http.session(who), Http.basic(who, who));
    }

    private static String status(Http.Reply reply) {
        return String.valueOf(reply.status());
    }

    private static String withTrace(Http.Reply reply) {
        if (reply.status() != 200) {
            return status(reply);
        }
        JsonObject error = json(reply).asJsonObject().getJsonObject("error");
        return error != null && error.containsKey("stackTrace") && !error.isNull("stackTrace") ? "200 trace" : "200";
    }

    private static String withOthers(Caller caller, Http.Reply reply) {
        if (reply.status() != 200) {
            return status(reply);
        }
        JsonArray tasks = json(reply).asJsonArray();
        boolean others = tasks.getValuesAs(JsonObject.class).stream().anyMatch(task -> !task.getString("owner").equals(caller.name()));
        return others ? "200 others" : "200";
    }

    /** The dashboard offers the owner filter to those who see every task. */
    private static String withOwnerFilter(Http.Reply reply) {
        return reply.status() == 200 && java.util.regex.Pattern.compile("<input id=\"(\\w+:)?owner\"").matcher(reply.body()).find() ? "200 others" : status(reply);
    }

    private static String taskPage(Http.Reply reply) {
        if (reply.status() != 200) {
            return status(reply);
        }
        String body = reply.body();
        StringBuilder outcome = new StringBuilder("200");
        if (body.contains("that you may see.")) {
            outcome.append(" not found");
        }
        if (body.contains("id=\"stack-trace\"")) {
            outcome.append(" trace");
        }
        if (body.contains("id=\"task:cancel\"")) {
            outcome.append(" cancel");
        }
        if (body.contains("id=\"task:retry\"")) {
            outcome.append(" retry");
        }
        return outcome.toString();
    }

    private static JsonValue json(Http.Reply reply) {
        try (var reader = Json.createReader(new java.io.StringReader(reply.body()))) {
            return reader.readValue();
        }
    }

    /** A task of clerk's that failed (its chunk 0 fails on its first run only, so a retry succeeds). */
    private static String failedTask() {
        String id = Api.as("clerk").post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain",
                "chunks=1,rows=1,sleepMillis=0,failOnceAtChunk=0").object().getString("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> Api.as("clerk").get("/tasks/" + id).object().getString("status").equals("FAILED"));
        return id;
    }

    /**
     * Asks about a task of clerk's that runs for a minute unless cancelled, then cancels it (if the
     * question did not), so that it holds its slot no longer.
     */
    private static String whileRunning(Function<String, String> ask) {
        String id = Api.as("clerk").post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", "chunks=60,rows=1,sleepMillis=1000")
                .object().getString("id");
        try {
            return ask.apply(id);
        } finally {
            Api.as("clerk").post("/tasks/" + id + "/cancel", "text/plain", "");
        }
    }

    /** A ledger check of clerk's whose result lists errors, which it offers as a CSV export. */
    private static String ledgerTaskWithErrors() {
        String id = Api.as("clerk").post("/task-types/ledger.validate/tasks", "application/json",
                "{\"lines\": [{\"documentNumber\": \"M1\", \"postingDate\": \"2026-11-02\", \"accountCode\": \"1000\","
                        + " \"debit\": \"1.005\", \"currency\": \"EUR\"}]}").object().getString("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> Api.as("clerk").get("/tasks/" + id).object().getString("status").equals("SUCCEEDED"));
        return id;
    }
}
