package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;
import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.JsonNumber;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;

/**
 * What a hostile page, a hostile spelling of a path, or a password guesser can do: nothing. Each
 * test counts the tasks of its victim before and after, in the database, through the API.
 */
@ExtendWith(ArquillianExtension.class)
class SecurityIT {

    private static final String ROWS = "chunks=1,rows=1,sleepMillis=0";
    private static final String SUBMIT = Http.APP + "/api/task-types/" + RowWritingTaskType.ID + "/tasks";
    private static final Path SERVER_LOG = Path.of(System.getProperty("jboss.home"), "standalone", "log", "server.log");

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.earWithTestPlugins();
    }

    /**
     * {@code /openapi} is public by decision (README, {@code TaskbridgeApi}): the shape of the API, as
     * any published API's; no login, no challenge, no session, and nothing of the data behind it nor
     * any class of ours. Every call it describes still needs a user. WildFly's own composition at the
     * server's root is off: the deployment serves the document its build wrote.
     */
    @Test
    void theOpenApiDocumentIsPublicAndDescribesShapesOnly() {
        Http.Reply document = Http.client().send("GET", Http.APP + "/openapi", Map.of(), null);
        assertThat(document.status()).as(document.toString()).isEqualTo(200);
        assertThat(document.header("Content-Type")).startsWith("application/json");
        assertThat(document.header("WWW-Authenticate")).isNull();
        assertThat(document.header("Set-Cookie")).isNull();
        assertThat(document.body()).contains("/api/tasks/{id}").doesNotContain("dev.taskbridge.");
        assertThat(Http.client().send("GET", Http.SERVER + "/openapi", Map.of(), null).status())
                .as("WildFly's composed document is not served").isEqualTo(404);

        Http.Reply described = Http.client().send("GET", Http.APP + "/api/tasks/counts", Map.of(), null);
        assertThat(described.status()).as("what it describes needs a user").isEqualTo(401);
    }

    /**
     * A page of another origin (a server of its own on another port) posts a form at the API, in
     * a browser that holds the victim's BASIC credentials: first as a browser gets them, by once
     * answering the server's challenge (here with the credentials in the address), then as if it
     * held them however it did (every request of the browser carries them).
     */
    @Test
    void aPageOfAnotherOriginCannotMakeABrowserPostAFormAtTheApi() throws Exception {
        HttpServer attacker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] page = ("<!DOCTYPE html><html><body><form id=\"f\" method=\"post\" enctype=\"text/plain\" action=\"" + SUBMIT
                + "\"><input type=\"hidden\" name=\"chunks\" value=\"1,rows=1,sleepMillis=0\"></form>"
                + "<script>document.getElementById('f').submit();</script></body></html>").getBytes(StandardCharsets.UTF_8);
        attacker.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        attacker.start();
        String attackerPage = "http://127.0.0.1:" + attacker.getAddress().getPort() + "/prize.html";
        try {
            long before = taskCount("clerk2");
            try (Browser browser = Browser.open()) {
                // the browser answers a challenge once (the native prompt, or credentials in the address)
                browser.driver().get("http://clerk2:clerk2@127.0.0.1:8080/taskbridge/api/tasks/counts");
                String answered = browser.driver().getPageSource();
                assertThat(browser.driver().getCurrentUrl()).as("no challenge: the login page, no credentials kept")
                        .contains("/taskbridge/login.xhtml?next=");
                browser.driver().get(attackerPage);
                awaitLeft(browser, attackerPage);
                browser.screenshot("cross-site-form-cached-credentials");
                assertThat(taskCount("clerk2")).as("tasks of clerk2 after a cross-site form post; the API had answered: "
                        + answered + "; and then: " + browser.driver().getPageSource()).isEqualTo(before);
            }
            try (Browser browser = Browser.open()) {
                browser.driver().executeCdpCommand("Network.enable", Map.of());
                browser.driver().executeCdpCommand("Network.setExtraHTTPHeaders",
                        Map.of("headers", Map.of("Authorization", Http.basic("clerk2", "clerk2"))));
                browser.driver().get(attackerPage);
                awaitLeft(browser, attackerPage);
                browser.screenshot("cross-site-form-with-credentials");
                assertThat(browser.driver().getPageSource()).contains("another site");
                assertThat(taskCount("clerk2")).as("tasks of clerk2 after a cross-site form post with credentials").isEqualTo(before);
            }
        } finally {
            attacker.stop(0);
        }
    }

    /** The same, as the exact requests a browser sends, and what a script or curl sends. */
    @Test
    void aBrowsersWriteFromAnotherOriginIsRefusedAndScriptsStillWrite() {
        Http http = Http.client();
        String clerk2 = Http.basic("clerk2", "clerk2");
        long before = taskCount("clerk2");
        List<Map<String, String>> crossSite = List.of(
                Map.of("Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate"),
                Map.of("Origin", "http://127.0.0.1:9999", "Sec-Fetch-Site", "same-site", "Sec-Fetch-Mode", "navigate"),
                Map.of("Origin", "null", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate"),
                Map.of("Origin", "http://evil.example"), // a browser too old for Sec-Fetch-*
                Map.of("Sec-Fetch-Site", "cross-site")); // a browser that sends no Origin
        for (Map<String, String> browser : crossSite) {
            Map<String, String> headers = new java.util.HashMap<>(browser);
            headers.put("Authorization", clerk2);
            headers.put("Content-Type", "text/plain");
            Http.Reply refused = http.send("POST", SUBMIT, headers, ROWS);
            assertThat(refused.status()).as(browser + ": " + refused).isEqualTo(403);
            assertThat(refused.body()).as(browser.toString()).contains("another site");
        }
        assertThat(taskCount("clerk2")).as("nothing stored").isEqualTo(before);

        Http.Reply sameOrigin = http.send("POST", SUBMIT, Map.of("Authorization", clerk2, "Content-Type", "text/plain",
                "Origin", Http.SERVER, "Sec-Fetch-Site", "same-origin"), ROWS);
        Http.Reply script = http.send("POST", SUBMIT, Map.of("Authorization", clerk2, "Content-Type", "text/plain"), ROWS);
        assertThat(sameOrigin.status()).as(sameOrigin.toString()).isEqualTo(202);
        assertThat(script.status()).as(script.toString()).isEqualTo(202);
        assertThat(taskCount("clerk2")).isEqualTo(before + 2);
    }

    /**
     * Nothing a page does brings up the browser's native login prompt (whose answer the browser
     * would then send to every site's form posts): a browser without a session is sent to the login
     * page, a page's own requests (live updates) get a 401 without a BASIC challenge; scripts still
     * get the challenge.
     */
    @Test
    void browsersGetTheLoginPageNeverABasicChallengeAndScriptsStillDo() throws Exception {
        Http http = Http.client();
        String export = Http.APP + "/api/tasks/00000000-0000-0000-0000-000000000000/exports/errors.csv";

        Http.Reply link = http.send("GET", export, Map.of("Sec-Fetch-Mode", "navigate", "Sec-Fetch-Site", "same-origin",
                "Accept", "text/html"), null);
        Http.Reply liveUpdate = http.send("GET", Http.APP + "/api/events", Map.of("Sec-Fetch-Mode", "cors",
                "Accept", "text/event-stream"), null);
        Http.Reply expiredSession = http.send("GET", Http.APP + "/api/tasks", Map.of("Cookie", "JSESSIONID=gone"), null);
        Http.Reply script = http.send("GET", Http.APP + "/api/tasks", Map.of(), null);

        assertThat(link.status()).as(link.toString()).isEqualTo(302);
        assertThat(link.header("Location")).contains("/taskbridge/login.xhtml?next=");
        assertThat(liveUpdate.status()).as(liveUpdate.toString()).isEqualTo(401);
        assertThat(liveUpdate.header("WWW-Authenticate")).as(liveUpdate.toString()).doesNotStartWith("Basic");
        assertThat(expiredSession.status()).isEqualTo(401);
        assertThat(expiredSession.header("WWW-Authenticate")).as(expiredSession.toString()).doesNotStartWith("Basic");
        assertThat(script.status()).isEqualTo(401);
        assertThat(script.header("WWW-Authenticate")).startsWith("Basic");

        try (Browser browser = Browser.open()) {
            browser.driver().get(export);
            browser.waitFor(By.id("login:username"));
            assertThat(browser.driver().getCurrentUrl()).contains("/login.xhtml?next=");
        }
    }

    /**
     * The session never authorises an API write, however the path to the API is spelled. The
     * container routes {@code /api;x/...}, {@code /%61pi/...} and {@code /x/../api/...} to the API
     * as it routes {@code /api/...}; such a write must meet the same 401 (today RESTEasy happens not
     * to match a resource for them, a 404, but only after the session was let through).
     */
    @Test
    void theSessionCannotWriteToTheApiThroughAnotherSpellingOfItsPath() {
        Http session = Http.session("clerk2");
        Http plain = Http.client();
        long before = taskCount("clerk2");
        List<String> spellings = List.of("/taskbridge/api/", "/taskbridge/api;x/", "/taskbridge/%61pi/",
                "/taskbridge/%61%70%69/", "/taskbridge/api;jsessionid=x/", "/taskbridge/./api/", "/taskbridge/x/../api/",
                "/taskbridge//api/", "/taskbridge;x/api/", "/%74askbridge/api/", "/x/../taskbridge/api/");
        List<String> answers = new ArrayList<>();
        for (String spelling : spellings) {
            Http.Reply reply = plain.send("POST", Http.SERVER + spelling + "task-types/" + RowWritingTaskType.ID + "/tasks",
                    Map.of("Content-Type", "text/plain", "Cookie", session.sessionCookie()), ROWS);
            answers.add(spelling + " -> " + reply.status());
        }
        assertThat(answers).as("a write with the session only").allSatisfy(answer -> assertThat(answer).endsWith(" -> 401"));
        assertThat(taskCount("clerk2")).isEqualTo(before);
        assertThat(session.send("GET", Http.APP + "/api/tasks/counts", Map.of(), null).status())
                .as("the session still reads").isEqualTo(200);
    }

    /**
     * A colon in a path, where the user lacks the path's role, once made Elytron throw while it built
     * the permission to refuse them (a 500): now such a path is nothing (404), with the API's error
     * body for the API and the error page for the rest, whoever asks.
     */
    @Test
    void aPathWithAColonIsNotFoundForEveryoneNeverAServerError() {
        for (String user : List.of("clerk", "prometheus", "admin")) {
            Http api = Http.client();
            Map<String, String> basic = Map.of("Authorization", Http.basic(user, user), "Accept", "application/json");
            for (String path : List.of("/api/admin/:x", "/api/tasks/a:b/retry", "/api/metrics:x")) {
                Http.Reply reply = api.send("POST", Http.APP + path, basic, "");
                assertThat(reply.status()).as(user + " " + path + ": " + reply.body()).isEqualTo(404);
                assertThat(reply.body()).contains("\"message\":\"There is nothing here.\"");
            }
            Http.Reply deleted = api.send("DELETE", Http.APP + "/api/tasks/a:b", basic, null);
            assertThat(deleted.status()).as("a method only the API takes, on such a path").isEqualTo(405);
            assertThat(deleted.body()).as("as the API answers").startsWith("{\"status\":405");
            Http.Reply page = Http.client().send("GET", Http.APP + "/types.xhtml:x",
                    Map.of("Authorization", Http.basic(user, user), "Accept", "text/html"), null);
            assertThat(page.status()).isEqualTo(404);
            assertThat(page.body()).contains("id=\"error-message\">There is nothing here.<");
        }
    }

    /**
     * Wrong passwords slow down the client that sends them, for that user: they lock nobody out.
     * 30 wrong passwords for admin from 127.0.0.2 are answered 429 with Retry-After once they
     * are too many, and logged; admin from 127.0.0.1 logs in all the while.
     */
    @Test
    void wrongPasswordsThrottleTheClientThatSendsThemAndLockNobodyOut() throws Exception {
        String wrong = Http.basic("admin", "guess");
        List<Integer> answers = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            answers.add(Http.getFrom("127.0.0.2", "/taskbridge/api/task-types", wrong).status());
        }
        Http.Reply throttled = Http.getFrom("127.0.0.2", "/taskbridge/api/task-types", Http.basic("admin", "admin"));

        assertThat(answers).as("answers to the guesses").startsWith(401).endsWith(429).containsOnly(401, 429);
        assertThat(throttled.status()).as("even the right password waits: " + throttled).isEqualTo(429);
        assertThat(Integer.parseInt(throttled.header("retry-after"))).isBetween(1, 300);
        assertThat(throttled.body()).contains("Too many wrong passwords");

        assertThat(Http.getFrom("127.0.0.1", "/taskbridge/api/task-types", Http.basic("admin", "admin")).status())
                .as("admin from another client").isEqualTo(200);
        assertThat(Api.as("admin").get("/admin/engine").status()).isEqualTo(200);
        Http.session("admin"); // the login page too
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(SERVER_LOG).stream()
                .anyMatch(line -> line.contains("WARN") && line.contains("Throttling password checks of user admin from 127.0.0.2")));
    }

    private static long taskCount(String user) {
        return Api.as(user).get("/tasks/counts").object().values().stream()
                .mapToLong(value -> ((JsonNumber) value).longValue()).sum();
    }

    /** Waits until the browser has left the attacker's page (the form was posted and answered). */
    private static void awaitLeft(Browser browser, String page) {
        browser.waitUntil(driver -> !driver.getCurrentUrl().equals(page)
                && "complete".equals(driver.executeScript("return document.readyState")));
    }
}
