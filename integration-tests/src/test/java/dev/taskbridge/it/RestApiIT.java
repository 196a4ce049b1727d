package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.json.Json;
import dev.taskbridge.engine.plugins.PluginJar;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The REST API of the deployed EAR on the provisioned WildFly, through a real HTTP client.
 */
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestApiIT {

    private static final Duration TASK_TIMEOUT = Duration.ofSeconds(60);

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.ear();
    }

    @Test
    @Order(1)
    void theActorSystemIsUpBeforeTheFirstRequest() {
        Instant beforeFirstRequest = Instant.now();

        Api.Reply facts = Api.as("admin").get("/admin/engine");

        assertThat(facts.status()).as(facts.toString()).isEqualTo(200);
        Instant startedAt = Instant.parse(facts.object().getString("startedAt"));
        assertThat(startedAt).isBefore(beforeFirstRequest);
        assertThat(facts.object().getJsonObject("liveSlotActors").getInt("ledger.validate")).isEqualTo(10);
    }

    @Test
    void healthShowsTheEngineReadyWithItsDatabaseAndPluginsAndItsActorSystemLive() {
        JsonObject ready = Health.check(Health.SERVER, "ready", "taskbridge-engine");
        assertThat(ready.getString("status")).as(ready.toString()).isEqualTo("UP");
        JsonObject data = ready.getJsonObject("data");
        assertThat(data.getString("engine")).isEqualTo("running");
        assertThat(data.getString("actorSystem")).isEqualTo("alive");
        assertThat(data.getString("database")).isEqualTo("reachable");
        assertThat(data.getJsonNumber("taskTypes").intValue()).as("ledger.validate, ledger.post and bank.import").isEqualTo(3);
        assertThat(data.getJsonNumber("pluginProblems").intValue()).isZero();

        JsonObject live = Health.check(Health.SERVER, "live", "taskbridge-actor-system");
        assertThat(live.getString("status")).as(live.toString()).isEqualTo("UP");
    }

    /**
     * What runs where: an admin, and a probe of the management interface, see the Taskbridge
     * version and commit, the node, and each plugin's jar with its version and checksum, the
     * checksum the same as that of the jar in the EAR that was deployed.
     */
    @Test
    void adminsAndProbesSeeWhichTaskbridgeAndWhichPluginBuildsRunOnTheNode() throws Exception {
        PluginJar ledger = ExpectedBuild.pluginJarInEar("taskbridge-ledger");

        JsonObject build = Api.as("admin").get("/admin/engine").object().getJsonObject("build");
        assertThat(build.getString("version")).isEqualTo(ExpectedBuild.version());
        assertThat(build.getString("commit")).matches("[0-9a-f]{10}(-dirty)?|unknown").isEqualTo(ExpectedBuild.commit());
        assertThat(build.getString("node")).isNotBlank();
        assertThat(build.getString("profile")).as("the demo server's, configure-profile.cli").isEqualTo("dev");
        JsonObject validate = build.getJsonArray("plugins").getValuesAs(JsonObject.class).stream()
                .filter(plugin -> plugin.getString("taskType").equals("ledger.validate")).findFirst().orElseThrow();
        assertThat(validate.getInt("typeVersion")).isEqualTo(1);
        assertThat(validate.getString("pluginClass")).isEqualTo("dev.taskbridge.ledger.LedgerValidateTaskType");
        assertThat(validate.getString("jar")).isEqualTo(ledger.name());
        assertThat(validate.getString("jarVersion")).isEqualTo(ExpectedBuild.version());
        assertThat(validate.getString("checksum")).matches("[0-9a-f]{64}").isEqualTo(ledger.checksum());

        JsonObject data = Health.check(Health.SERVER, "ready", "taskbridge-engine").getJsonObject("data");
        assertThat(data.getString("version")).isEqualTo(ExpectedBuild.version());
        assertThat(data.getString("commit")).isEqualTo(ExpectedBuild.commit());
        assertThat(data.getString("node")).isEqualTo(build.getString("node"));
        assertThat(data.getString("profile")).isEqualTo("dev");
        assertThat(data.getString("plugin.ledger.validate"))
                .isEqualTo(ledger.name() + " " + ExpectedBuild.version() + " sha256:" + ledger.checksum());
    }

    /**
     * An operator's pause, over REST: 1,000 tasks submitted to a paused type are taken and wait,
     * everyone sees the type paused (clerks in the task types, probes in readiness), and once
     * a supervisor resumes it every one of them runs. Clerks may not pause.
     */
    @Test
    void aPausedTypeTakes1000TasksThatWaitAndAllRunOnceASupervisorResumesIt() throws Exception {
        Api supervisor = Api.as("supervisor");
        assertThat(Api.as("clerk2").post("/task-types/ledger.validate/pause", null, "").status()).isEqualTo(403);
        assertThat(supervisor.post("/task-types/no.such.type/pause", null, "").status()).isEqualTo(404);
        List<String> ids = new ArrayList<>();
        try {
            Api.Reply paused = supervisor.post("/task-types/ledger.validate/pause", null, "");
            assertThat(paused.status()).as(paused.body()).isEqualTo(200);
            assertThat(paused.object().getJsonObject("paused").getString("by")).isEqualTo("supervisor");
            ExecutorService clients = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> submitted = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    submitted.add(clients.submit(() -> {
                        Api.Reply accepted = supervisor.post("/task-types/ledger.validate/tasks", "text/csv", LEDGER_CSV);
                        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
                        return accepted.object().getString("id");
                    }));
                }
                for (Future<String> id : submitted) {
                    ids.add(id.get(60, TimeUnit.SECONDS));
                }
            } finally {
                clients.shutdownNow();
            }
            Thread.sleep(1_000);
            assertThat(ids).as("every task the paused type took waits")
                    .allSatisfy(id -> assertThat(supervisor.get("/tasks/" + id).object().getString("status")).isEqualTo("QUEUED"));
            JsonObject type = Api.as("clerk2").get("/task-types").json().asJsonArray().getValuesAs(JsonObject.class).stream()
                    .filter(t -> t.getString("id").equals("ledger.validate")).findFirst().orElseThrow();
            assertThat(type.getJsonObject("paused").getString("at")).as("clerks see why their tasks wait").isNotBlank();
            assertThat(type.getJsonObject("paused").containsKey("by")).as("but not other users' names").isFalse();
            assertThat(Health.check(Health.SERVER, "ready", "taskbridge-engine").getJsonObject("data")
                    .getString("taskTypesPaused")).isEqualTo("ledger.validate");
        } finally {
            Api.Reply resumed = supervisor.post("/task-types/ledger.validate/resume", null, "");
            assertThat(resumed.status()).as(resumed.body()).isEqualTo(200);
            assertThat(resumed.object().get("paused")).as("runs again: no pause (JSON-B leaves nulls out)").isNull();
        }
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() ->
                supervisor.get("/tasks?owner=supervisor&status=QUEUED&limit=1").json().asJsonArray().isEmpty()
                        && supervisor.get("/tasks?owner=supervisor&status=RUNNING&limit=1").json().asJsonArray().isEmpty());
        assertThat(ids).allSatisfy(id -> assertThat(supervisor.get("/tasks/" + id).object().getString("status")).isEqualTo("SUCCEEDED"));
    }

    @Test
    void taskTypesNameTheirPluginToAdminsOnly() {
        Api.Reply types = Api.as("clerk").get("/task-types");

        assertThat(types.status()).isEqualTo(200);
        JsonObject ledger = ledgerValidate(types);
        assertThat(ledger.getInt("version")).isEqualTo(1);
        assertThat(ledger.getInt("slots")).isEqualTo(10);
        assertThat(ledger.getInt("tasksAtOncePerSlot")).as("the plugin says nothing: one after another").isEqualTo(1);
        assertThat(ledger.containsKey("pluginClass") && !ledger.isNull("pluginClass")).as(ledger.toString()).isFalse();
        assertThat(ledgerValidate(Api.as("admin").get("/task-types")).getString("pluginClass"))
                .isEqualTo("dev.taskbridge.ledger.LedgerValidateTaskType");
    }

    /** What a client needs to draw a task type's form, as the pages draw it: files, options, the check. */
    @Test
    void taskTypesDescribeTheirForms() {
        List<JsonObject> types = Api.as("clerk").get("/task-types").json().asJsonArray().getValuesAs(JsonObject.class);
        JsonObject post = types.stream().filter(type -> type.getString("id").equals("ledger.post")).findFirst().orElseThrow()
                .getJsonObject("form");
        assertThat(post.getString("title")).isEqualTo("Post a ledger file");
        assertThat(post.getJsonArray("files").getValuesAs(JsonObject.class)).extracting(kind -> kind.getString("mediaType"))
                .containsExactly("text/csv", "application/json");
        JsonObject onErrors = post.getJsonArray("options").getJsonObject(0);
        assertThat(onErrors.getString("name")).isEqualTo("onErrors");
        assertThat(onErrors.getString("kind")).isEqualTo("CHOICE");
        assertThat(onErrors.getString("defaultValue")).isEqualTo("reject-file");
        assertThat(onErrors.getJsonArray("choices").getValuesAs(JsonObject.class)).extracting(choice -> choice.getString("value"))
                .containsExactly("reject-file", "post-valid-documents");
        assertThat(post.getJsonObject("checkFirst").getString("option")).isEqualTo("checkOnly");
        assertThat(post.getJsonObject("checkFirst").getString("confirmLabel")).isEqualTo("Post this file");

        JsonObject bank = types.stream().filter(type -> type.getString("id").equals("bank.import")).findFirst().orElseThrow()
                .getJsonObject("form");
        assertThat(bank.getJsonArray("options").getJsonObject(0).getString("kind")).isEqualTo("INTEGER");
        assertThat(bank.containsKey("checkFirst") && !bank.isNull("checkFirst")).as("imported at once").isFalse();
    }

    private static JsonObject ledgerValidate(Api.Reply types) {
        return types.json().asJsonArray().getValuesAs(JsonObject.class).stream()
                .filter(type -> type.getString("id").equals("ledger.validate"))
                .findFirst().orElseThrow();
    }

    @Test
    void aLedgerValidationSubmittedOverRestSucceedsWithTheRightReport() {
        String lines = """
                {"lines": [
                  {"documentNumber": "D1", "postingDate": "2026-11-02", "accountCode": "1000", "costCenter": "CC1",
                   "debit": "100.00", "credit": "0", "currency": "EUR", "description": "cash in"},
                  {"documentNumber": "D1", "postingDate": "2026-11-02", "accountCode": "2000", "costCenter": "CC1",
                   "debit": "0", "credit": "100.00", "currency": "EUR", "description": "payable"},
                  {"documentNumber": "D2", "postingDate": "2026-11-03", "accountCode": "1000", "costCenter": "CC2",
                   "debit": "12.345", "credit": "0", "currency": "EUR", "description": "too precise"},
                  {"documentNumber": "D3", "postingDate": "2026-11-03", "accountCode": "1000", "costCenter": "CC2",
                   "debit": "5.00", "credit": "0", "currency": "EUR", "description": "unbalanced"}
                ]}
                """;

        Api.Reply accepted = Api.as("clerk").post("/task-types/ledger.validate/tasks", "application/json", lines);

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        assertThat(accepted.location()).startsWith(Api.BASE + "/tasks/");
        JsonObject task = awaitFinal(Api.as("clerk"), accepted.location());
        assertThat(task.getString("status")).as(task.toString()).isEqualTo("SUCCEEDED");
        assertThat(task.getString("owner")).isEqualTo("clerk");
        assertThat(task.getJsonObject("progress").getInt("percent")).isEqualTo(100);

        JsonObject report = task.getJsonObject("result");
        assertThat(report.getInt("lineCount")).isEqualTo(4);
        assertThat(report.getInt("validLineCount")).isEqualTo(3);
        assertThat(report.getInt("invalidLineCount")).isEqualTo(1);
        assertThat(report.getBoolean("valid")).isFalse();
        assertThat(report.getJsonArray("unbalancedDocuments").getValuesAs(JsonValue::toString)).containsExactly("\"D3\"");
        JsonObject error = report.getJsonArray("errors").getJsonObject(0);
        assertThat(error.getInt("line")).isEqualTo(3);
        assertThat(error.getString("field")).isEqualTo("debit");
        assertThat(error.getString("value")).isEqualTo("12.345");
        assertThat(error.getString("reason")).isNotBlank();
    }

    /**
     * A task to run later: stored at once (202), SCHEDULED with its {@code runAt} until then, run
     * at its time; one scheduled further ahead is cancelled and never runs; times that are not
     * times, both parameters at once or a delay not ahead are a 400 naming the parameter, and
     * nothing is stored.
     */
    @Test
    void aTaskSubmittedToRunLaterWaitsScheduledRunsAtItsTimeAndCanBeCancelled() {
        Api clerk = Api.as("clerk2");
        Instant before = Instant.now();
        Api.Reply soon = clerk.post("/task-types/ledger.validate/tasks?runAfter=PT3S", "text/csv", LEDGER_CSV);
        String offset = java.time.OffsetDateTime.now(java.time.ZoneOffset.ofHours(1)).plusHours(1).withNano(0).toString();
        Api.Reply later = clerk.post("/task-types/ledger.validate/tasks?runAt="
                + java.net.URLEncoder.encode(offset, java.nio.charset.StandardCharsets.UTF_8), "text/csv", LEDGER_CSV);

        assertThat(soon.status()).as(soon.body()).isEqualTo(202);
        assertThat(soon.object().getString("status")).isEqualTo("SCHEDULED");
        Instant soonAt = Instant.parse(soon.object().getString("runAt"));
        assertThat(soonAt).isBetween(before.plusSeconds(3).minusMillis(1), Instant.now().plusSeconds(3));
        assertThat(later.status()).as(later.body()).isEqualTo(202);
        assertThat(Instant.parse(later.object().getString("runAt"))).as("the offset is kept: the same instant")
                .isEqualTo(java.time.OffsetDateTime.parse(offset).toInstant());
        assertThat(clerk.get("/tasks?status=SCHEDULED&limit=500").json().asJsonArray().getValuesAs(JsonObject.class))
                .extracting(task -> task.getString("id")).contains(soon.object().getString("id"), later.object().getString("id"));

        JsonObject cancelled = clerk.post(later.location() + "/cancel", "text/plain", "").object();
        assertThat(cancelled.getString("status")).isEqualTo("CANCELLED");

        JsonObject ran = awaitFinal(clerk, soon.location());
        assertThat(ran.getString("status")).as(ran.toString()).isEqualTo("SUCCEEDED");
        assertThat(Instant.parse(ran.getString("startedAt"))).as("not before its time").isAfterOrEqualTo(soonAt);
        assertThat(clerk.get(later.location()).object().getString("status")).isEqualTo("CANCELLED");

        int stored = clerk.get("/tasks?limit=500").json().asJsonArray().size();
        Map<String, String> refusals = Map.of(
                "runAt=tomorrow", "runAt",
                "runAt=2026-12-24T08:00:00", "runAt", // no offset: whose eight o'clock?
                "runAfter=PT0S", "runAfter",
                "runAfter=-PT5M", "runAfter",
                "runAfter=P400D", "runAfter",
                "runAt=2026-12-24T08:00:00Z&runAfter=PT1M", "runAfter");
        refusals.forEach((query, field) -> {
            Api.Reply refused = clerk.post("/task-types/ledger.validate/tasks?" + query, "text/csv", LEDGER_CSV);
            assertThat(refused.status()).as(query + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.object().getJsonArray("fieldErrors").getJsonObject(0).getString("field")).as(query).isEqualTo(field);
        });
        assertThat(clerk.get("/tasks?limit=500").json().asJsonArray()).as("nothing stored").hasSize(stored);
    }

    /**
     * A priority is the task's: answered and listed with it; a priority that is
     * not a whole number from -100 to 100 is a 400 naming it, and nothing is stored. (Which task
     * starts first is the engine's tests' to show: here the tasks land in slots by their ids.)
     */
    @Test
    void aPriorityIsStoredWithItsTaskAndOneOutOfRangeGets400NamingIt() {
        Api clerk = Api.as("clerk2");
        Api.Reply urgent = clerk.post("/task-types/ledger.validate/tasks?priority=50", "text/csv", LEDGER_CSV);
        Api.Reply usual = clerk.post("/task-types/ledger.validate/tasks", "text/csv", LEDGER_CSV);

        assertThat(urgent.status()).as(urgent.body()).isEqualTo(202);
        assertThat(urgent.object().getInt("priority")).isEqualTo(50);
        assertThat(usual.object().getInt("priority")).isZero();
        JsonObject ran = awaitFinal(clerk, urgent.location());
        assertThat(ran.getString("status")).as(ran.toString()).isEqualTo("SUCCEEDED");
        assertThat(ran.getInt("priority")).isEqualTo(50);
        assertThat(clerk.get("/tasks?limit=500").json().asJsonArray().getValuesAs(JsonObject.class))
                .filteredOn(task -> task.getString("id").equals(urgent.object().getString("id")))
                .extracting(task -> task.getInt("priority")).containsExactly(50);

        int stored = clerk.get("/tasks?limit=500").json().asJsonArray().size();
        for (String query : List.of("priority=101", "priority=-101", "priority=high", "priority=1.5")) {
            Api.Reply refused = clerk.post("/task-types/ledger.validate/tasks?" + query, "text/csv", LEDGER_CSV);
            assertThat(refused.status()).as(query + ": " + refused.body()).isEqualTo(400);
            JsonObject fieldError = refused.object().getJsonArray("fieldErrors").getJsonObject(0);
            assertThat(fieldError.getString("field")).as(query).isEqualTo("priority");
            assertThat(fieldError.getString("reason")).contains("-100", "100");
        }
        assertThat(clerk.get("/tasks?limit=500").json().asJsonArray()).as("nothing stored").hasSize(stored);
    }

    /**
     * An order key (design note 032) is the task's: answered and listed with it; a key that cannot
     * be one is a 400 naming it, and a repeated Idempotency-Key with another order key a 422, with
     * nothing stored. (That the tasks of a key run in turn is ApiClientIT's to show, with tasks slow
     * enough to overlap, and the engine's tests'.)
     */
    private static List<String> newestFirst(List<String> inTheOrderSubmitted) {
        List<String> reversed = new java.util.ArrayList<>(inTheOrderSubmitted);
        java.util.Collections.reverse(reversed);
        return reversed;
    }

    @Test
    void anOrderKeyIsStoredWithItsTaskAndOneThatCannotBeOneGets400NamingIt() {
        Api clerk = Api.as("clerk2");
        List<String> locations = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Api.Reply posted = clerk.post("/task-types/ledger.validate/tasks?orderKey=account%201000", "text/csv", LEDGER_CSV);
            assertThat(posted.status()).as(posted.body()).isEqualTo(202);
            assertThat(posted.object().getString("orderKey")).isEqualTo("account 1000");
            locations.add(posted.location());
        }
        List<JsonObject> ran = locations.stream().map(location -> awaitFinal(clerk, location)).toList();
        for (JsonObject task : ran) {
            assertThat(task.getString("status")).as(task.toString()).isEqualTo("SUCCEEDED");
            assertThat(task.getString("orderKey")).isEqualTo("account 1000");
        }
        String firstId = ran.get(0).getString("id");
        assertThat(clerk.get("/tasks?limit=500").json().asJsonArray().getValuesAs(JsonObject.class))
                .filteredOn(task -> task.getString("id").equals(firstId))
                .extracting(task -> task.getString("orderKey")).as("listed with its key").containsExactly("account 1000");
        assertThat(clerk.post("/task-types/ledger.validate/tasks", "text/csv", LEDGER_CSV).object().containsKey("orderKey"))
                .as("a task without a key shows none").isFalse();
        List<JsonObject> ofTheKey = clerk.get("/tasks?orderKey=account%201000").json().asJsonArray().getValuesAs(JsonObject.class);
        assertThat(ofTheKey).extracting(task -> task.getString("orderKey")).as("the tasks of the key only").containsOnly("account 1000");
        assertThat(ofTheKey).extracting(task -> task.getString("id")).as("newest first (a rerun on the same server finds earlier ones after them)")
                .startsWith(newestFirst(ran.stream().map(task -> task.getString("id")).toList()).toArray(String[]::new));
        assertThat(clerk.get("/tasks?orderKey=account%202000").json().asJsonArray()).as("a key without tasks").isEmpty();

        int stored = clerk.get("/tasks?limit=500").json().asJsonArray().size();
        for (String query : List.of("orderKey=%20%20", "orderKey=a%0Ab", "orderKey=account-1000%20", "orderKey=" + "k".repeat(201))) {
            Api.Reply refused = clerk.post("/task-types/ledger.validate/tasks?" + query, "text/csv", LEDGER_CSV);
            assertThat(refused.status()).as(query + ": " + refused.body()).isEqualTo(400);
            JsonObject fieldError = refused.object().getJsonArray("fieldErrors").getJsonObject(0);
            assertThat(fieldError.getString("field")).as(query).isEqualTo("orderKey");
        }
        String key = "order-key-" + System.nanoTime();
        assertThat(clerk.post("/task-types/ledger.validate/tasks?orderKey=a", "text/csv", LEDGER_CSV, key).status()).isEqualTo(202);
        Api.Reply conflict = clerk.post("/task-types/ledger.validate/tasks?orderKey=b", "text/csv", LEDGER_CSV, key);
        assertThat(conflict.status()).as(conflict.body()).isEqualTo(422);
        assertThat(conflict.body()).contains("order key a");
        assertThat(clerk.get("/tasks?limit=500").json().asJsonArray()).as("only the first of the keyed pair stored").hasSize(stored + 1);
    }

    @Test
    void aBadPayloadGets400NamingEachFieldAndNothingIsStored() {
        Api clerk = Api.as("clerk2");
        int before = clerk.get("/tasks?limit=500").json().asJsonArray().size();

        Api.Reply refused = clerk.post("/task-types/ledger.validate/tasks", "application/json",
                "{\"lines\": [{\"documentNumber\": {\"nested\": 1}}, 42]}");

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        List<String> fields = refused.object().getJsonArray("fieldErrors").getValuesAs(JsonObject.class).stream()
                .map(error -> error.getString("field")).toList();
        assertThat(fields).contains("lines[0].documentNumber", "lines[1]");
        assertThat(refused.object().getJsonArray("fieldErrors").getJsonObject(0).getString("reason")).isNotBlank();
        assertThat(clerk.get("/tasks?limit=500").json().asJsonArray()).hasSize(before);
    }

    @Test
    void aLedgerFileSentAsCsvIsValidatedLikeJsonAndABadHeaderGets400() {
        String csv = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n"
                + "D1,2026-11-02,1000,CC1,100.00,0,EUR,\"cash, in\"\r\n"
                + "D1,2026-11-02,2000,CC1,0,100.00,EUR,payable\r\n"
                + "D2,2026-11-03,1000,CC2,12.345,0,EUR,too precise\r\n";

        Api.Reply accepted = Api.as("clerk").post("/task-types/ledger.validate/tasks", "text/csv; charset=UTF-8", csv);

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        JsonObject report = awaitFinal(Api.as("clerk"), accepted.location()).getJsonObject("result");
        assertThat(report.getInt("lineCount")).isEqualTo(3);
        assertThat(report.getInt("invalidLineCount")).isEqualTo(1);
        JsonObject error = report.getJsonArray("errors").getJsonObject(0);
        assertThat(error.getInt("line")).isEqualTo(3);
        assertThat(error.getString("field")).isEqualTo("debit");

        Api.Reply refused = Api.as("clerk").post("/task-types/ledger.validate/tasks", "text/csv",
                "documentNumber,date,accountCode,debit,credit,currency\nD1,2026-11-02,1000,1,0,EUR\n");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.object().getJsonArray("fieldErrors").getValuesAs(JsonObject.class))
                .extracting(e -> e.getString("field") + ": " + e.getString("reason"))
                .containsExactly("header: 'date' is not a known column", "header: misses the column 'postingDate'");
    }

    @Test
    void malformedJsonGets400() {
        Api.Reply refused = Api.as("clerk").post("/task-types/ledger.validate/tasks", "application/json", "{\"lines\": [");

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.object().getJsonArray("fieldErrors").getJsonObject(0).getString("field")).isEqualTo("body");
    }

    /**
     * JSON nested 100,000 levels deep, and bytes that are not UTF-8, are refused by both ledger
     * types as the payload's shape: a 400 naming the body and the reason, and no task stored.
     */
    @Test
    void deeplyNestedJsonAndBytesThatAreNotUtf8Get400AndStoreNothing() {
        Api clerk = Api.as("clerk2");
        long before = taskCount(clerk);
        String nested = "[".repeat(100_000) + "]".repeat(100_000);
        byte[] notUtf8 = {'{', '"', 'l', 'i', 'n', 'e', 's', '"', ':', '[', '{', '"', 'x', '"', ':', '"', (byte) 0xC3, 0x28,
                '"', '}', ']', '}'};

        for (String type : List.of("ledger.validate", "ledger.post")) {
            Api.Reply deep = clerk.post("/task-types/" + type + "/tasks", "application/json", nested);
            assertThat(deep.status()).as(type + ": " + deep).isEqualTo(400);
            assertThat(deep.object().getJsonArray("fieldErrors").getValuesAs(JsonObject.class))
                    .extracting(e -> e.getString("field") + ": " + e.getString("reason"))
                    .anySatisfy(error -> assertThat(error).startsWith("body: is nested more than 64 levels deep"));

            Api.Reply nestedInALine = clerk.post("/task-types/" + type + "/tasks", "application/json",
                    "{\"lines\": [{\"debit\": " + nested + "}]}");
            assertThat(nestedInALine.status()).as(type + ": " + nestedInALine).isEqualTo(400);

            Api.Reply badBytes = clerk.post("/task-types/" + type + "/tasks", "application/json", notUtf8);
            assertThat(badBytes.status()).as(type + ": " + badBytes).isEqualTo(400);
            assertThat(badBytes.object().getJsonArray("fieldErrors").getJsonObject(0).getString("reason"))
                    .startsWith("is not valid UTF-8");
        }
        assertThat(taskCount(clerk)).as("tasks of clerk2 stored by refused requests").isEqualTo(before);
    }

    /** A number whose exponent would take gigabytes to write out is an amount's error in the report, not a 500. */
    @Test
    void anAmountWithAHugeExponentIsALineErrorNotAServerError() {
        Api clerk = Api.as("clerk");
        Api.Reply accepted = clerk.post("/task-types/ledger.validate/tasks", "application/json",
                "{\"lines\": [{\"documentNumber\": \"D1\", \"postingDate\": \"2026-11-02\", \"accountCode\": \"1000\","
                        + " \"debit\": 1e999999999, \"credit\": \"0\", \"currency\": \"EUR\"}]}");

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        JsonObject error = awaitFinal(clerk, accepted.location()).getJsonObject("result").getJsonArray("errors").getJsonObject(0);
        assertThat(error.getString("field")).isEqualTo("debit");
        assertThat(error.getString("value")).isEqualTo("1e999999999");
        assertThat(error.getString("reason")).isEqualTo("must be a decimal number such as 1234.50");
    }

    private static long taskCount(Api api) {
        return api.get("/tasks/counts").object().values().stream()
                .mapToLong(value -> ((jakarta.json.JsonNumber) value).longValue()).sum();
    }

    @Test
    void anUnknownTaskTypeGets404() {
        Api.Reply missing = Api.as("clerk").post("/task-types/no.such.type/tasks", "application/json", "{}");

        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.object().getString("message")).isEqualTo("unknown task type 'no.such.type'");
    }

    @Test
    void aBadStatusFilterGets400NamingTheField() {
        Api.Reply refused = Api.as("clerk").get("/tasks?status=DONE&limit=x");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.object().getJsonArray("fieldErrors").getValuesAs(JsonObject.class))
                .extracting(error -> error.getString("field")).containsExactly("status", "limit");
    }

    @Test
    void unauthenticatedCallsGet401() {
        Api.Reply anonymous = Api.anonymous().get("/task-types");
        Api.Reply wrongPassword = Api.as("clerk", "not-the-password").get("/task-types");

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.wwwAuthenticate()).startsWith("Basic");
        assertThat(wrongPassword.status()).isEqualTo(401);
    }

    @Test
    void aClerkMayNotSeeEngineFacts() {
        assertThat(Api.as("clerk").get("/admin/engine").status()).isEqualTo(403);
    }

    /**
     * The resources serve every request from one instance (TaskbridgeApi): requests of several
     * users at once must each see their own caller, never another request's.
     */
    @Test
    void concurrentRequestsOfDifferentUsersEachSeeTheirOwnCaller() throws Exception {
        List<String> users = List.of("clerk", "clerk2", "supervisor", "admin");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                String user = users.get(thread % users.size());
                results.add(pool.submit(() -> {
                    List<String> wrong = new ArrayList<>();
                    for (int i = 0; i < 15; i++) {
                        Api.Reply submitted = Api.as(user).post("/task-types/ledger.validate/tasks", "application/json", oneLineFile("C" + i));
                        if (submitted.status() != 202) {
                            wrong.add(user + ": submitted " + submitted);
                            continue;
                        }
                        String owner = submitted.object().getString("owner");
                        Api.Reply read = Api.as(user).get(java.net.URI.create(submitted.location()).getRawPath()
                                .substring("/taskbridge/api".length()));
                        if (!owner.equals(user) || read.status() != 200 || !read.object().getString("owner").equals(user)) {
                            wrong.add(user + ": owner " + owner + ", read " + read);
                        }
                        // the query of this request, not of another's (UriInfo): an option of its own name is refused by name
                        String option = "opt-" + user + "-" + i;
                        Api.Reply refused = Api.as(user).post("/task-types/ledger.validate/tasks?" + option + "=1", "application/json",
                                oneLineFile("R" + i));
                        if (refused.status() != 400 || !refused.object().getJsonArray("fieldErrors").getJsonObject(0)
                                .getString("field").equals(option)) {
                            wrong.add(user + ": option " + option + " answered " + refused);
                        }
                    }
                    return wrong;
                }));
            }
            for (Future<List<String>> result : results) {
                assertThat(result.get(2, TimeUnit.MINUTES)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theSameIdempotencyKeyTwiceYieldsOneTask() {
        String key = "import-" + UUID.randomUUID();
        String body = oneLineFile("K1");

        Api.Reply first = Api.as("clerk").post("/task-types/ledger.validate/tasks", "application/json", body, key);
        Api.Reply second = Api.as("clerk").post("/task-types/ledger.validate/tasks", "application/json", body, key);

        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.location()).isEqualTo(first.location());
        assertThat(second.object().getString("id")).isEqualTo(first.object().getString("id"));
    }

    @Test
    void anIdempotencyKeyReusedForAnotherRequestIs422NamingTheEarlierTaskAndStoresNothing() {
        String key = "import-" + UUID.randomUUID();
        Api clerk = Api.as("clerk");
        Api.Reply first = clerk.post("/task-types/ledger.validate/tasks", "application/json", oneLineFile("K3"), key);
        assertThat(first.status()).isEqualTo(202);
        String firstId = first.object().getString("id");
        long before = taskCount(clerk);

        Api.Reply otherPayload = clerk.post("/task-types/ledger.validate/tasks", "application/json", oneLineFile("K4"), key);
        Api.Reply otherType = clerk.post("/task-types/ledger.post/tasks?checkOnly=true", "application/json", oneLineFile("K3"), key);

        for (Api.Reply refused : List.of(otherPayload, otherType)) {
            assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
            jakarta.json.JsonObject error = refused.object().getJsonArray("fieldErrors").getJsonObject(0);
            assertThat(error.getString("field")).isEqualTo("Idempotency-Key");
            assertThat(error.getString("reason")).contains(key, firstId);
        }
        assertThat(otherType.object().getJsonArray("fieldErrors").getJsonObject(0).getString("reason")).contains("type ledger.validate");
        assertThat(taskCount(clerk)).as("nothing stored").isEqualTo(before);
        // the same request again is still answered with its task
        assertThat(clerk.post("/task-types/ledger.validate/tasks", "application/json", oneLineFile("K3"), key).status()).isEqualTo(200);
    }

    @Test
    void theSameIdempotencyKeySubmittedConcurrentlyYieldsOneTask() throws Exception {
        String key = "import-" + UUID.randomUUID();
        String body = oneLineFile("K2");
        int clients = 8;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Api.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                replies.add(pool.submit(() -> {
                    start.await();
                    return Api.as("clerk").post("/task-types/ledger.validate/tasks", "application/json", body, key);
                }));
            }
            start.countDown();
            List<Api.Reply> answered = new ArrayList<>();
            for (Future<Api.Reply> reply : replies) {
                answered.add(reply.get(30, TimeUnit.SECONDS));
            }

            assertThat(answered).extracting(Api.Reply::status).containsOnly(202, 200).filteredOn(status -> status == 202).hasSize(1);
            assertThat(answered).extracting(reply -> reply.object().getString("id")).containsOnly(answered.get(0).object().getString("id"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClerkCannotReadAnotherClerksTask() {
        Api.Reply accepted = Api.as("clerk").post("/task-types/ledger.validate/tasks", "application/json",
                oneLineFile("P1"));

        assertThat(Api.as("clerk2").get(accepted.location()).status()).isEqualTo(404);
        assertThat(Api.as("supervisor").get(accepted.location()).status()).isEqualTo(200);
        assertThat(Api.as("clerk2").get("/tasks?owner=clerk").json().asJsonArray().getValuesAs(JsonObject.class))
                .allSatisfy(task -> assertThat(task.getString("owner")).isEqualTo("clerk2"));
    }

    @Test
    void optionsAreTheQueryParametersAndABadOneGets400NamingIt() {
        Api.Reply refused = Api.as("clerk").post("/task-types/ledger.post/tasks?onErrors=skip&colour=red", "text/csv", LEDGER_CSV);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.object().getJsonArray("fieldErrors").getValuesAs(JsonObject.class))
                .extracting(e -> e.getString("field") + ": " + e.getString("reason"))
                .containsExactlyInAnyOrder("colour: is not an option of ledger.post; it knows onErrors, chunkLines, checkOnly",
                        "onErrors: must be reject-file or post-valid-documents, was 'skip'");

        Api.Reply checked = Api.as("clerk").post("/task-types/ledger.post/tasks?checkOnly=true", "text/csv", LEDGER_CSV);
        assertThat(checked.status()).as(checked.toString()).isEqualTo(202);
        JsonObject result = awaitFinal(Api.as("clerk"), checked.location()).getJsonObject("result");
        assertThat(result.getString("status")).isEqualTo("CHECKED");
        assertThat(result.getInt("postedDocumentCount")).isZero();
    }

    @Test
    void aFileCanBeUploadedAsAMultipartFormAndItsErrorsDownloadedAsCsv() {
        String csv = LEDGER_CSV + "D9,2026-11-02,1000,CC1,=cmd|' /C calc'!A0,0,EUR,formula\r\n";
        Api.Reply accepted = Api.as("clerk").postForm("/task-types/ledger.validate/tasks", "file", "lines.csv", "application/vnd.ms-excel",
                csv, java.util.Map.of());

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        JsonObject task = awaitFinal(Api.as("clerk"), accepted.location());
        assertThat(task.getJsonObject("result").getInt("lineCount")).isEqualTo(3);
        Api.Reply errors = Api.as("clerk").get(accepted.location() + "/exports/errors.csv");
        assertThat(errors.status()).isEqualTo(200);
        assertThat(errors.body()).startsWith("\uFEFFline,field,value,reason")
                .contains("3,debit,'=cmd|' /C calc'!A0,must be a decimal number such as 1234.50");
        assertThat(Api.as("clerk").get(accepted.location() + "/exports/nothing.txt").status()).isEqualTo(404);
        assertThat(Api.as("clerk2").get(accepted.location() + "/exports/errors.csv").status()).isEqualTo(404);

        Api.Reply noFile = Api.as("clerk").postForm("/task-types/ledger.validate/tasks", "data", "lines.csv", "text/csv", csv, java.util.Map.of());
        assertThat(noFile.status()).isEqualTo(400);
        assertThat(noFile.object().getJsonArray("fieldErrors").getJsonObject(0).getString("field")).isEqualTo("file");
    }

    /**
     * A file of 1,200 errors: its result lists the first 1,000, the errors endpoint serves them all
     * page by page (the page past 1,000 found again from the stored file) and agrees with the CSV
     * export, row for row; bad paging is a 400 naming the field; another clerk finds nothing.
     */
    @Test
    void theErrorsPastTheFirstThousandArePagedAndAgreeWithTheCsvExport() {
        StringBuilder csv = new StringBuilder("documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n");
        for (int i = 1; i <= 1_200; i++) {
            csv.append("E").append(i).append(",2026-11-02,1000,CC1,1.005,0,EUR,\"too, precise\"\r\n");
        }
        Api clerk = Api.as("clerk");
        String location = clerk.post("/task-types/ledger.validate/tasks", "text/csv", csv.toString()).location();
        JsonObject report = awaitFinal(clerk, location).getJsonObject("result");
        assertThat(report.getInt("errorCount")).isEqualTo(1_200);
        assertThat(report.getInt("errorsListed")).isEqualTo(1_000);

        Api.Reply first = clerk.get(location + "/errors?limit=100");
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.object().getJsonNumber("total").longValue()).isEqualTo(1_200);
        assertThat(first.object().getJsonNumber("nextOffset").longValue()).isEqualTo(100);
        assertThat(first.object().getJsonArray("errors")).hasSize(100);
        assertThat(first.object().getJsonArray("errors").getJsonObject(0)).isEqualTo(report.getJsonArray("errors").getJsonObject(0));

        JsonObject past = clerk.get(location + "/errors?offset=1000&limit=1000").object();
        assertThat(past.getJsonNumber("total").longValue()).isEqualTo(1_200);
        assertThat(past.containsKey("nextOffset") && !past.isNull("nextOffset")).as("the last page has no next").isFalse();
        List<JsonObject> errors = past.getJsonArray("errors").getValuesAs(JsonObject.class);
        assertThat(errors).hasSize(200);
        assertThat(errors.get(0).getInt("line")).isEqualTo(1_001);
        assertThat(errors.get(199).getInt("line")).isEqualTo(1_200);

        Api.Reply export = clerk.get(location + "/exports/errors.csv");
        assertThat(export.status()).isEqualTo(200);
        List<String> rows = export.body().lines().toList();
        assertThat(rows).as("the header and every error, no row that says more were left out").hasSize(1 + 1_200);
        for (int i = 0; i < errors.size(); i++) {
            JsonObject error = errors.get(i);
            assertThat(rows.get(1 + 1_000 + i)).isEqualTo(error.getInt("line") + "," + error.getString("field") + ","
                    + error.getString("value") + "," + csvField(error.getString("reason")));
        }

        for (String bad : List.of("offset=-1", "offset=x", "limit=0", "limit=1001", "limit=ten")) {
            Api.Reply refused = clerk.get(location + "/errors?" + bad);
            assertThat(refused.status()).as(bad + ": " + refused).isEqualTo(400);
            assertThat(refused.object().getJsonArray("fieldErrors").getJsonObject(0).getString("field"))
                    .isEqualTo(bad.substring(0, bad.indexOf('=')));
        }
        assertThat(clerk.get(location + "/errors?offset=-1&limit=0").object().getJsonArray("fieldErrors")).hasSize(2);
        assertThat(clerk.get(location + "/errors?offset=5000").object().getJsonArray("errors")).isEmpty();
        assertThat(Api.as("clerk2").get(location + "/errors").status()).isEqualTo(404);
        assertThat(Api.as("supervisor").get(location + "/errors?offset=1199").object().getJsonArray("errors")).hasSize(1);
        assertThat(Api.anonymous().get(location + "/errors").status()).isEqualTo(401);
    }

    /** ledger.post's check finds its errors past the first 1,000 again against the books (the persistence unit, on a request thread). */
    @Test
    void aPostingChecksErrorsPastTheFirstThousandAreFoundAgainstTheBooks() {
        String today = java.time.LocalDate.now().toString();
        StringBuilder csv = new StringBuilder("documentNumber,postingDate,accountCode,debit,credit,currency\r\n");
        for (int i = 1; i <= 1_050; i++) {
            csv.append("NA").append(i).append(',').append(today).append(",4242,1.00,0,EUR\r\n");
        }
        Api clerk = Api.as("clerk");
        String location = clerk.post("/task-types/ledger.post/tasks?checkOnly=true", "text/csv", csv.toString()).location();
        JsonObject report = awaitFinal(clerk, location).getJsonObject("result");
        assertThat(report.getInt("errorCount")).as(report.toString()).isEqualTo(1_050);

        JsonObject past = clerk.get(location + "/errors?offset=1000").object();
        assertThat(past.getJsonNumber("total").longValue()).as(past.toString()).isEqualTo(1_050);
        assertThat(past.getJsonArray("errors")).hasSize(50);
        JsonObject last = past.getJsonArray("errors").getJsonObject(49);
        assertThat(last.getInt("line")).isEqualTo(1_050);
        assertThat(last.getString("field")).isEqualTo("accountCode");
        assertThat(last.getString("reason")).isEqualTo("is not in the chart of accounts");
        assertThat(clerk.get(location + "/exports/errors.csv").body().lines()).hasSize(1 + 1_050);
    }

    private static String csvField(String text) {
        return text.contains(",") || text.contains("\"") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }

    @Test
    void aTaskHasAHistoryAndAnEventStreamThatEndsWithIt() throws Exception {
        Api.Reply accepted = Api.as("clerk").post("/task-types/ledger.validate/tasks", "text/csv", LEDGER_CSV);
        awaitFinal(Api.as("clerk"), accepted.location());

        List<String> kinds = Api.as("clerk").get(accepted.location() + "/history").json().asJsonArray()
                .getValuesAs(JsonObject.class).stream().map(entry -> entry.getString("kind")).toList();
        assertThat(kinds).containsExactly("SUBMITTED", "STARTED", "CHUNK_COMMITTED", "SUCCEEDED");

        // the stream of a task that ended: its state, then the end of the stream
        List<String> lines = Api.as("clerk").stream(accepted.location() + "/events");
        assertThat(lines).contains("event: task");
        assertThat(lines.stream().filter(line -> line.startsWith("data:")).findFirst().orElseThrow())
                .contains("\"status\":\"SUCCEEDED\"");
        assertThat(Api.as("clerk2").get(accepted.location() + "/events", "text/event-stream").status()).isEqualTo(404);
    }

    @Test
    void countsAndTheDayFilterShowTheCallersOwnTasks() {
        Api.as("clerk2").post("/task-types/ledger.validate/tasks", "text/csv", LEDGER_CSV);
        JsonObject counts = Api.as("clerk2").get("/tasks/counts").object();
        assertThat(counts.keySet()).containsExactlyInAnyOrder("SCHEDULED", "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED");
        long mine = counts.values().stream().mapToLong(value -> ((jakarta.json.JsonNumber) value).longValue()).sum();
        assertThat(mine).isEqualTo(Api.as("clerk2").get("/tasks?limit=500").json().asJsonArray().size());

        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        assertThat(Api.as("clerk2").get("/tasks?from=" + today + "&to=" + today).json().asJsonArray()).isNotEmpty();
        assertThat(Api.as("clerk2").get("/tasks?to=2000-01-01").json().asJsonArray()).isEmpty();
        Api.Reply bad = Api.as("clerk2").get("/tasks?from=yesterday");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.object().getJsonArray("fieldErrors").getJsonObject(0).getString("field")).isEqualTo("from");
    }

    @Test
    void hostileInputGetsA4xxNeverA500() {
        Api clerk = Api.as("clerk");
        Api.Reply tooLarge = clerk.post("/task-types/ledger.validate/tasks", "text/csv", "x".repeat(21 * 1024 * 1024));
        assertThat(tooLarge.status()).as(tooLarge.status() + "").isEqualTo(413);
        assertThat(tooLarge.object().getString("message")).contains("20 MiB");

        Api.Reply malformed = clerk.post("/task-types/ledger.validate/tasks", "text/csv",
                "documentNumber,postingDate,accountCode,debit,credit,currency\r\nD1,2026-11-02,1000,\"1.00,0,EUR\r\n");
        assertThat(malformed.status()).as(malformed.toString()).isEqualTo(400);
        assertThat(malformed.object().getJsonArray("fieldErrors").getJsonObject(0).getString("reason")).startsWith("is not valid CSV");

        Api.Reply wrongType = clerk.post("/task-types/ledger.validate/tasks", "image/png", "\u0089PNG");
        assertThat(wrongType.status()).as(wrongType.toString()).isEqualTo(400);
        assertThat(wrongType.object().getJsonArray("fieldErrors").getJsonObject(0).getString("field")).isEqualTo("Content-Type");

        Api.Reply noType = clerk.post("/task-types/ledger.validate/tasks", null, "{}");
        assertThat(noType.status()).isIn(400, 415);

        String script = "<script>alert(1)</script>";
        Api.Reply scripted = clerk.post("/task-types/ledger.validate/tasks", "application/json",
                oneLineFile(script));
        assertThat(scripted.status()).isEqualTo(202);
        JsonObject error = awaitFinal(clerk, scripted.location()).getJsonObject("result").getJsonArray("errors").getJsonObject(0);
        assertThat(error.getString("value")).as("echoed as the text it is, in JSON").isEqualTo(script);

        assertThat(clerk.get("/tasks/not-a-task").status()).isEqualTo(404);
        assertThat(clerk.post("/tasks/not-a-task/cancel", "text/plain", "").status()).isEqualTo(404);
        assertThat(clerk.get("/no-such-resource").status()).isEqualTo(404);
    }

    /**
     * The second plugin, {@code bank.import}, in the EAR beside the ledger: a statement submitted
     * over REST, its payments matched to the demo's open invoices, and the export of every payment
     * with its outcome. (A server that ran this before has INV-1003 paid already: the outcome says so.
     * Each run's statement is another, so it is not taken for a repeat.)
     */
    @Test
    void aBankStatementIsImportedAndItsPaymentsDownloaded() {
        Api clerk = Api.as("clerk");
        String run = java.util.UUID.randomUUID().toString().substring(0, 8); // another statement each run, not a repeat
        String statement = "bookingDate,amount,currency,counterparty,reference\r\n"
                + "2026-12-01,131.50,EUR,Customer 3,Invoice INV-1003 " + run + "\r\n"
                + "2026-12-01,77.77,EUR,Someone,\"who knows, really " + run + "\"\r\n";
        Api.Reply accepted = clerk.post("/task-types/bank.import/tasks?chunkLines=1", "text/csv", statement);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);

        JsonObject task = awaitFinal(clerk, accepted.location());
        assertThat(task.getString("status")).as(task.toString()).isEqualTo("SUCCEEDED");
        JsonObject result = task.getJsonObject("result");
        assertThat(result.getInt("payments")).isEqualTo(2);
        assertThat(result.getInt("unmatched")).isEqualTo(1);
        assertThat(result.getInt("matched") + result.getInt("alreadyPaid")).isEqualTo(1);

        Api.Reply payments = clerk.get(accepted.location() + "/exports/payments.csv");
        assertThat(payments.status()).as(payments.toString()).isEqualTo(200);
        List<String> lines = payments.body().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("\uFEFFline,bookingDate,amount,currency,counterparty,reference,invoice,outcome");
        assertThat(lines.get(1)).matches("2,2026-12-01,131.50,EUR,Customer 3,Invoice INV-1003 " + run + ",INV-1003,(MATCHED|ALREADY_PAID)");
        assertThat(lines.get(2)).isEqualTo("3,2026-12-01,77.77,EUR,Someone,\"who knows, really " + run + "\",,UNMATCHED");

        Api.Reply refused = clerk.post("/task-types/bank.import/tasks", "text/csv", "bookingDate,amount\r\n2026-12-01,1\r\n");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("currency");

        // the same office's bank delivers camt.053: read as a stream, entities refused
        String entry = "<Ntry><Amt Ccy=\"EUR\">77.78</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
                + "<BookgDt><Dt>2026-12-01</Dt></BookgDt><NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>Someone</Nm></Pty></Dbtr>"
                + "</RltdPties><RmtInf><Ustrd>camt %s</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>";
        String camt = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">"
                + "<BkToCstmrStmt><Stmt>%s</Stmt></BkToCstmrStmt></Document>";
        Api.Reply xml = clerk.post("/task-types/bank.import/tasks", "application/xml", camt.formatted(entry.formatted(run)));
        assertThat(xml.status()).as(xml.toString()).isEqualTo(202);
        JsonObject imported = awaitFinal(clerk, xml.location());
        assertThat(imported.getJsonObject("result").getInt("payments")).as(imported.toString()).isEqualTo(1);
        assertThat(imported.getJsonObject("result").getInt("unmatched")).isEqualTo(1);

        Api.Reply hostile = clerk.post("/task-types/bank.import/tasks", "application/xml",
                "<?xml version=\"1.0\"?><!DOCTYPE Document [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                        + camt.formatted(entry.formatted("&x;")));
        assertThat(hostile.status()).as(hostile.toString()).isEqualTo(400);
        assertThat(hostile.body()).contains("is not well-formed XML").doesNotContain("root:");
    }

    /**
     * Clients written against the former submit path, {@code POST /api/tasks/{type}}, still submit
     * there, and every answer, a refusal too, tells them where to go: a {@code Deprecation} header
     * (RFC 9745) and a {@code Link} to the type's collection. The task is the same as one submitted there.
     */
    @Test
    void theFormerSubmitPathStillSubmitsAndSaysItIsDeprecated() {
        Api clerk = Api.as("clerk");
        Api.Reply accepted = clerk.post("/tasks/ledger.validate", "text/csv", LEDGER_CSV);

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        assertThat(accepted.header("Deprecation")).isEqualTo("@1796256000");
        assertThat(accepted.header("Link")).isEqualTo("</taskbridge/api/task-types/ledger.validate/tasks>; rel=\"successor-version\"");
        assertThat(accepted.location()).matches(".*/taskbridge/api/tasks/[0-9a-f-]{36}");
        assertThat(awaitFinal(clerk, accepted.location()).getString("status")).isEqualTo("SUCCEEDED");

        Api.Reply form = clerk.postForm("/tasks/ledger.post", "file", "lines.csv", "text/csv", LEDGER_CSV,
                java.util.Map.of("checkOnly", "true"));
        assertThat(form.status()).as(form.toString()).isEqualTo(202);
        assertThat(form.header("Deprecation")).isEqualTo("@1796256000");
        Api.Reply refused = clerk.post("/tasks/no.such.type", "text/csv", LEDGER_CSV);
        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.header("Deprecation")).as("a refusal says it too").isEqualTo("@1796256000");
        assertThat(refused.header("Link")).isEqualTo("</taskbridge/api/task-types/no.such.type/tasks>; rel=\"successor-version\"");
        assertThat(clerk.post("/task-types/ledger.validate/tasks", "text/csv", LEDGER_CSV).header("Deprecation"))
                .as("the new path is not deprecated").isNull();
    }

    @Test
    void theApiIsDescribedByAnOpenApiDocument() {
        Api.Reply document = Api.anonymous().get(OPENAPI);

        assertThat(document.status()).as(document.toString()).isEqualTo(200);
        JsonObject openApi = document.object();
        assertThat(openApi.getJsonObject("info").getString("title")).isEqualTo("Taskbridge");
        assertThat(openApi.getJsonArray("servers").getJsonObject(0).getString("url")).as("the deployment's context root")
                .isEqualTo("/taskbridge");
        assertThat(openApi.getJsonObject("paths").keySet()).contains("/api/task-types/{type}/tasks",
                "/api/tasks/{id}", "/api/tasks/{id}/events", "/api/task-types").doesNotContain("/api/tasks/{type}");
        assertThat(openApi.getJsonObject("components").getJsonObject("securitySchemes").containsKey("basic")).isTrue();
    }

    /** Where the deployment serves its OpenAPI document. */
    private static final String OPENAPI = "http://127.0.0.1:8080/taskbridge/openapi";

    /** The Redocly CLI the document is linted with, from the npm registry (issue #17 names it). */
    private static final String REDOCLY = "@redocly/cli@2.77.0";

    /**
     * The served document passes Redocly's recommended rules (openapi/redocly.yaml argues each rule
     * turned down) with no error and no warning. Needs Node.js 20.19 or later and npx
     * (.ci/prepare.sh).
     */
    @Test
    void theOpenApiDocumentPassesRedoclyLint() throws Exception {
        Api.Reply document = Api.anonymous().get(OPENAPI);
        assertThat(document.status()).as(document.toString()).isEqualTo(200);
        Path dir = Files.createDirectories(Path.of("target", "openapi-lint"));
        Path file = dir.resolve("openapi.json");
        Files.writeString(file, document.body());
        Path config = dir.resolve("redocly.yaml");
        try (InputStream rules = RestApiIT.class.getResourceAsStream("/openapi/redocly.yaml")) {
            Files.copy(rules, config, StandardCopyOption.REPLACE_EXISTING);
        }

        Path report = dir.resolve("lint.json");
        ProcessBuilder command = new ProcessBuilder("npx", "--yes", REDOCLY, "lint", "--config", config.toString(), "--format",
                "json", file.toString()).redirectOutput(report.toFile()).redirectError(dir.resolve("lint.err").toFile());
        command.environment().put("REDOCLY_TELEMETRY", "off");
        command.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
        Process lint = command.start();
        if (!lint.waitFor(5, TimeUnit.MINUTES)) {
            lint.destroyForcibly();
            throw new AssertionError("redocly lint did not end within 5 minutes; its stderr is in " + dir.resolve("lint.err"));
        }
        String output = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(output).as("redocly's report (its stderr in %s)", dir.resolve("lint.err")).startsWith("{");

        List<String> problems = new ArrayList<>();
        for (JsonValue value : Json.createReader(new StringReader(output)).readObject().getJsonArray("problems")) {
            JsonObject problem = value.asJsonObject();
            problems.add(problem.getString("severity") + " " + problem.getString("ruleId") + " at "
                    + problem.getJsonArray("location").getJsonObject(0).getString("pointer") + ": " + problem.getString("message"));
        }
        assertThat(problems).as("problems redocly found in target/openapi-lint/openapi.json").isEmpty();
    }

    private static final String LEDGER_CSV = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n"
            + "D1,2026-11-02,1000,CC1,100.00,0,EUR,cash\r\n"
            + "D1,2026-11-02,2000,CC1,0,100.00,EUR,payable\r\n";

    private static JsonObject awaitFinal(Api api, String location) {
        await().atMost(TASK_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            String status = api.get(location).object().getString("status");
            return status.equals("SUCCEEDED") || status.equals("FAILED");
        });
        return api.get(location).object();
    }

    /** A one-line {@code ledger.validate} payload, for tests about submitting and reading tasks rather than about their content. */
    private static String oneLineFile(String documentNumber) {
        return "{\"lines\": [{\"documentNumber\": \"" + documentNumber + "\", \"postingDate\": \"2026-11-02\", \"accountCode\": \"1000\","
                + " \"debit\": \"1.00\", \"currency\": \"EUR\"}]}";
    }
}
