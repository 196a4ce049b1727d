package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;

/**
 * Recurring tasks as supervisors manage them: over REST (created, read with the next firings,
 * changed, paused, resumed, deleted; bad definitions refused naming their field; clerks refused)
 * and on the schedules page in a real browser. {@code CrashIT} fires one through a {@code kill -9}.
 */
@ExtendWith(ArquillianExtension.class)
class SchedulesIT {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.earWithTestPlugins();
    }

    /** A schedule's JSON: the fields given, text values quoted, nulls left out. */
    static String schedule(Map<String, String> fields) {
        StringBuilder json = new StringBuilder("{");
        fields.forEach((name, value) -> {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(name).append("\":").append(value.startsWith("{") ? value
                    : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        });
        return json.append('}').toString();
    }

    private static Map<String, String> mondays(String name) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("name", name);
        fields.put("taskType", RowWritingTaskType.ID);
        fields.put("mediaType", "text/plain");
        fields.put("payload", "chunks=1,rows=1,sleepMillis=0");
        fields.put("cron", "0 0 8 ? * MON");
        fields.put("timeZone", "Europe/Berlin");
        fields.put("missedFirings", "SKIP");
        return fields;
    }

    private static List<Instant> nextFirings(JsonObject schedule) {
        return schedule.getJsonArray("nextFirings").getValuesAs(JsonString.class).stream()
                .map(at -> Instant.parse(at.getString())).toList();
    }

    @Test
    void supervisorsManageSchedulesOverRestAndClerksMayNot() {
        Api supervisor = Api.as("supervisor");
        assertThat(Api.as("clerk").get("/schedules").status()).isEqualTo(403);
        assertThat(Api.as("clerk").post("/schedules", "application/json", schedule(mondays("clerk's"))).status()).isEqualTo(403);

        // names of their own: the server's database outlives a run of the tests outside CI
        String reminders = "monday reminders " + UUID.randomUUID();
        Api.Reply created = supervisor.post("/schedules", "application/json", schedule(mondays(reminders)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonObject schedule = created.object();
        String id = schedule.getString("id");
        assertThat(created.location()).endsWith("/api/schedules/" + id);
        assertThat(schedule.getString("owner")).isEqualTo("supervisor");
        assertThat(nextFirings(schedule)).hasSize(5).allSatisfy(at -> {
            ZonedDateTime local = at.atZone(BERLIN);
            assertThat(local.getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY);
            assertThat(local.getHour()).isEqualTo(8);
        });
        assertThat(supervisor.get("/schedules/" + id).object().getString("name")).isEqualTo(reminders);
        assertThat(supervisor.get("/schedules").json().asJsonArray().getValuesAs(JsonObject.class))
                .extracting(each -> each.getString("id")).contains(id);

        String hourlyName = "hourly " + UUID.randomUUID();
        Map<String, String> hourly = mondays(hourlyName);
        hourly.remove("cron");
        hourly.remove("timeZone");
        hourly.put("interval", "PT1H");
        JsonObject changed = Api.as("admin").put("/schedules/" + id, "application/json", schedule(hourly)).object();
        assertThat(changed.getString("name")).isEqualTo(hourlyName);
        assertThat(changed.getString("owner")).as("whoever wrote it last: its tasks do what they decided").isEqualTo("admin");
        assertThat(changed.getString("changedBy")).isEqualTo("admin");
        List<Instant> hours = nextFirings(changed);
        assertThat(Duration.between(hours.get(0), hours.get(1))).isEqualTo(Duration.ofHours(1));

        JsonObject paused = supervisor.post("/schedules/" + id + "/pause", null, "").object();
        assertThat(paused.getJsonObject("paused").getString("by")).isEqualTo("supervisor");
        assertThat(nextFirings(paused)).as("none while paused").isEmpty();
        assertThat(Health.check(Health.SERVER, "ready", "taskbridge-engine").getJsonObject("data").getString("schedulesPaused"))
                .as("operators see it").contains(hourlyName);
        JsonObject resumed = supervisor.post("/schedules/" + id + "/resume", null, "").object();
        assertThat(resumed.get("paused")).isNull();
        assertThat(nextFirings(resumed)).hasSize(5);

        assertThat(supervisor.delete("/schedules/" + id).status()).isEqualTo(204);
        assertThat(supervisor.get("/schedules/" + id).status()).isEqualTo(404);
        assertThat(supervisor.delete("/schedules/" + id).status()).isEqualTo(404);
        assertThat(supervisor.post("/schedules/" + id + "/pause", null, "").status()).isEqualTo(404);
    }

    @Test
    void aScheduleThatCannotWorkIsRefusedNamingItsFieldAndNothingIsStored() {
        Api supervisor = Api.as("supervisor");
        String taken = "taken " + UUID.randomUUID();
        assertThat(supervisor.post("/schedules", "application/json", schedule(mondays(taken))).status()).isEqualTo(201);
        int before = supervisor.get("/schedules").json().asJsonArray().size();

        Map<String, Map<String, String>> refusals = new LinkedHashMap<>();
        refusals.put("cron", with("cron", "0 8 * * MON")); // Unix cron: no seconds
        refusals.put("timeZone", with("timeZone", "Europe/Springfield"));
        refusals.put("interval", without(with("interval", "PT0.5S"), "cron", "timeZone"));
        refusals.put("taskType", with("taskType", "no.such.type"));
        refusals.put("payload", with("payload", "chunks=many"));
        refusals.put("missedFirings", with("missedFirings", "SOMETIMES"));
        refusals.put("name", mondays(taken));
        refusals.put("options.day", with("options", "{\"day\": 1}"));
        refusals.forEach((field, fields) -> {
            Api.Reply refused = supervisor.post("/schedules", "application/json", schedule(fields));
            assertThat(refused.status()).as(field + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.object().getJsonArray("fieldErrors").getJsonObject(0).getString("field")).as(refused.body())
                    .isEqualTo(field);
        });
        Api.Reply both = supervisor.post("/schedules", "application/json", schedule(with("interval", "PT1H")));
        assertThat(both.status()).as("a cron and an interval: " + both.body()).isEqualTo(400);
        Api.Reply notJson = supervisor.post("/schedules", "application/json", "nightly, please");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.object().getJsonArray("fieldErrors").getJsonObject(0).getString("field")).isEqualTo("body");
        String some = supervisor.get("/schedules").json().asJsonArray().getJsonObject(0).getString("id");
        assertThat(supervisor.get("/schedules/" + some + "?runs=0").status()).isEqualTo(400);

        assertThat(supervisor.get("/schedules").json().asJsonArray()).as("nothing stored").hasSize(before);
    }

    private static Map<String, String> with(String field, String value) {
        Map<String, String> fields = mondays("refused " + field);
        fields.put(field, value);
        return fields;
    }

    private static Map<String, String> without(Map<String, String> fields, String... names) {
        for (String name : names) {
            fields.remove(name);
        }
        return fields;
    }

    /**
     * A schedule that has run once or twice is listed with those runs: the page shows up to three
     * latest runs, and a schedule with fewer once failed the whole page (found by {@code RoleMatrixIT}
     * when another test's schedule had fired once).
     */
    @Test
    void aScheduleWithFewerRunsThanThePageShowsIsListedWithThem() throws Exception {
        Api supervisor = Api.as("supervisor");
        String name = "every five seconds " + UUID.randomUUID();
        Map<String, String> fields = mondays(name);
        fields.remove("cron");
        fields.remove("timeZone");
        fields.put("interval", "PT5S");
        String id = supervisor.post("/schedules", "application/json", schedule(fields)).object().getString("id");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> !runs(supervisor, id).isEmpty());
            supervisor.post("/schedules/" + id + "/pause", null, "");
            int runs = runs(supervisor, id).size();
            assertThat(runs).as("paused within the five seconds after its first firing").isBetween(1, 2);

            try (Browser browser = Browser.open().logIn("supervisor")) {
                browser.go("/schedules.xhtml");
                browser.waitFor(By.id("create"));
                String row = "//tr[.//span[@class='schedule-name' and text()='" + name + "']]";
                assertThat(browser.driver().findElements(By.xpath(row + "//ul[@class='last-runs']/li"))).hasSize(runs);
            }
        } finally {
            supervisor.delete("/schedules/" + id);
        }
    }

    private static List<JsonObject> runs(Api supervisor, String id) {
        return supervisor.get("/schedules/" + id).object().getJsonArray("lastRuns").getValuesAs(JsonObject.class);
    }

    /** A supervisor creates a schedule on the page, sees its next firings, pauses it, resumes it and deletes it. */
    @Test
    void aSupervisorCreatesASchedulePausesResumesAndDeletesItOnThePage() throws Exception {
        try (Browser browser = Browser.open().logIn("supervisor")) {
            browser.go("/schedules.xhtml");
            browser.waitFor(By.id("create"));
            String name = "month-end closing " + UUID.randomUUID().toString().substring(0, 8);
            browser.driver().findElement(By.id("name")).sendKeys(name);
            new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("taskType")))
                    .selectByVisibleText(RowWritingTaskType.ID);
            new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("mediaType")))
                    .selectByVisibleText("text/plain");
            browser.driver().findElement(By.id("payload")).sendKeys("chunks=1,rows=1,sleepMillis=0");
            browser.driver().findElement(By.id("cron")).sendKeys("0 0 18 L * ?");
            browser.driver().findElement(By.id("timeZone")).clear();
            browser.driver().findElement(By.id("timeZone")).sendKeys("Europe/Berlin");
            browser.driver().findElement(By.id("createSchedule")).click();
            browser.waitForText(By.id("messages"), "Schedule " + name + " created");

            String row = "//tr[.//span[@class='schedule-name' and text()='" + name + "']]";
            List<String> next = browser.driver().findElements(By.xpath(row + "//ol[@class='next-firings']/li")).stream()
                    .map(item -> item.getText()).toList();
            assertThat(next).as("its next five firings, on the last days of the months").hasSize(5);
            browser.screenshot("schedules");

            browser.driver().findElement(By.xpath(row + "//input[@value='Pause']")).click();
            browser.waitForText(By.id("messages"), name + " is paused");
            assertThat(browser.text(By.xpath(row))).contains("paused since", "by supervisor");
            assertThat(browser.driver().findElements(By.xpath(row + "//ol[@class='next-firings']/li"))).isEmpty();

            browser.driver().findElement(By.xpath(row + "//input[@value='Resume']")).click();
            browser.waitForText(By.id("messages"), name + " fires again");
            assertThat(browser.driver().findElements(By.xpath(row + "//ol[@class='next-firings']/li"))).hasSize(5);

            browser.driver().findElement(By.xpath(row + "//input[@value='Delete']")).click();
            browser.driver().switchTo().alert().accept();
            browser.waitForText(By.id("messages"), name + " deleted");
            await().atMost(Duration.ofSeconds(5)).until(() -> browser.driver().findElements(By.xpath(row)).isEmpty());
        }
        try (Browser clerk = Browser.open().logIn("clerk")) {
            assertThat(clerk.driver().findElements(By.linkText("Schedules"))).as("not in a clerk's menu").isEmpty();
            clerk.go("/schedules.xhtml");
            clerk.waitForText(By.id("error-message"), "You may not do this.");
        }
    }
}
