package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile requests at every endpoint of the API and every form of the pages, as every role and as
 * nobody: a seeded corpus drawn from combinators (endpoints, bodies, content types, methods,
 * headers, callers, spellings of paths). For every answer: no 5xx (a 503 with {@code Retry-After}
 * is an answer, not a failure), every 4xx says why (the API's JSON error with its message, a page
 * with its text), and a refused request stores no task: the tasks that exist afterwards are those
 * that existed before and those whose creation was answered.
 *
 * <p>Requests go over sockets of their own, written byte for byte, so that nothing a polite
 * client would clean up (raw paths, odd methods, bodies on a GET, broken chunking) is lost. Wrong
 * credentials come from 127.0.0.7, so that the password throttle they meet holds no other caller.
 * A failure names the seed and each failing case; {@code -Dfuzz.seed=S} draws another corpus,
 * {@code -Dfuzz.only=N} sends case N alone (the corpus before it is drawn, not sent).
 */
@ExtendWith(ArquillianExtension.class)
class FuzzIT {

    private static final long SEED = Long.getLong("fuzz.seed", 20_261_203L);
    private static final int RANDOM_CASES = Integer.getInteger("fuzz.cases", 520);
    private static final int ONLY = Integer.getInteger("fuzz.only", -1);

    private static final String HOST = "127.0.0.1";
    private static final String ME = "127.0.0.1";
    private static final String GUESSER = "127.0.0.7";
    private static final String API = "/taskbridge/api";
    private static final Pattern VIEW_STATE = Pattern.compile("name=\"jakarta.faces.ViewState\"[^>]*value=\"([^\"]+)\"");
    private static final Pattern CSRF = Pattern.compile("name=\"tb-csrf\" value=\"([^\"]+)\"");
    private static final Pattern CHECK_TASK = Pattern.compile("task\\.xhtml\\?id=([0-9a-f-]{36})");
    private static final Pattern LOCATION_ID = Pattern.compile("/api/tasks/([0-9a-f-]{36})$");
    private static final Pattern BROKEN_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");
    private static final String TODAY = LocalDate.now().toString();
    private static final int MIB = 1024 * 1024;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.ear();
    }

    /** Who calls: BASIC credentials, a page's session, or neither; and from which address. */
    private record Caller(String name, String from, String authorization, String sessionUser) {
    }

    /** What a case does with the forms' tokens, which exist only when it is sent. */
    private enum Form { NONE, LOGIN, UPLOAD }

    /** One request, as written on the wire (the body may hold the placeholders of a form's tokens). */
    private record Case(int number, String what, Caller caller, String method, String target, List<String[]> headers,
                        byte[] body, boolean chunked, Form form, boolean protocol) {

        String reproduce() {
            StringBuilder text = new StringBuilder("case " + number + " (seed " + SEED + ", -Dfuzz.only=" + number + "): "
                    + what + " as " + caller.name() + "\n  " + method + " " + abbreviate(target, 200));
            headers.forEach(h -> text.append("\n  ").append(h[0]).append(": ").append(abbreviate(h[1], 200)));
            if (body != null) {
                text.append("\n  body (").append(body.length).append(" bytes").append(chunked ? ", chunked" : "").append("): ")
                        .append(abbreviate(printable(new String(body, StandardCharsets.ISO_8859_1)), 300));
            }
            return text.toString();
        }
    }

    /** An answer: status, headers (names in lower case), body. */
    private record Answer(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + abbreviate(printable(body), 400);
        }
    }

    @Test
    void hostileRequestsToEveryEndpointAndFormAsEveryRoleAndAsNobody() throws Exception {
        String task = clerksTaskWithErrors();
        Map<String, String> sessions = new LinkedHashMap<>();
        for (String user : List.of("clerk", "admin")) {
            sessions.put(user, Http.session(user).sessionCookie());
        }
        Set<String> before = allTaskIds();

        List<Case> corpus = new Corpus(new Random(SEED), task).build();
        Map<String, Integer> histogram = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        Set<String> created = new HashSet<>();
        List<Instant[]> times = new ArrayList<>();
        int sent = 0;
        ExecutorService writers = Executors.newSingleThreadExecutor();
        try {
            for (Case c : corpus) {
                if (ONLY >= 0 && c.number() != ONLY) {
                    times.add(null);
                    continue;
                }
                Instant start = Instant.now();
                Answer answer;
                try {
                    answer = send(c, sessions, writers);
                } catch (IOException e) {
                    failures.add(c.reproduce() + "\n  -> no answer: " + e);
                    times.add(new Instant[]{start, Instant.now()});
                    continue;
                }
                times.add(new Instant[]{start, Instant.now()});
                sent++;
                histogram.merge(String.valueOf(answer.status()), 1, Integer::sum);
                String problem = judge(c, answer);
                if (problem != null) {
                    failures.add(c.reproduce() + "\n  -> " + problem + ": " + answer);
                }
                createdBy(c, answer).ifPresent(created::add);
            }
            if (ONLY < 0) {
                failures.addAll(ordinaryHeadersStillWork(writers));
            }
        } finally {
            writers.shutdownNow();
        }

        Set<String> after = allTaskIds();
        Set<String> stored = new HashSet<>(after);
        stored.removeAll(before);
        created.addAll(ORDINARY_TASKS);
        Set<String> unanswered = new HashSet<>(stored);
        unanswered.removeAll(created);
        for (String id : unanswered) {
            JsonObject row = Api.as("admin").get("/tasks/" + id).object();
            Instant at = Instant.parse(row.getString("submittedAt"));
            String during = "";
            for (int i = 0; i < times.size(); i++) {
                if (times.get(i) != null && !at.isBefore(times.get(i)[0].minusMillis(5)) && !at.isAfter(times.get(i)[1].plusMillis(5))) {
                    during += "\n" + corpus.get(i).reproduce();
                }
            }
            failures.add("a task was stored for a refused request: " + id + " (" + row.getString("type") + " of "
                    + row.getString("owner") + " at " + at + "), sent during:" + during);
        }
        Set<String> lost = new HashSet<>(created);
        lost.removeAll(stored);
        if (!lost.isEmpty()) {
            failures.add("answered as created but not stored: " + lost);
        }

        String summary = String.format("FuzzIT seed %d: %d cases, %d sent, %d tasks answered as created, %d stored, statuses %s",
                SEED, corpus.size(), sent, created.size(), stored.size(), histogram);
        System.out.println(summary);
        assertThat(corpus.size()).as("corpus size").isGreaterThanOrEqualTo(500);
        assertThat(failures).as(summary + "\n" + failures.size() + " failing cases:\n" + String.join("\n\n", failures)).isEmpty();
    }

    /**
     * What browsers, curl and Java send is still answered (the corpus checks only that refusals
     * are well formed; this checks that refusing hostile headers refuses no ordinary ones).
     */
    private static List<String> ordinaryHeadersStillWork(ExecutorService writers) throws IOException {
        List<String> accepts = List.of("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
                "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", "*/*", "application/json", "application/json, text/plain, */*",
                "application/*", "application/json; charset=utf-8", "APPLICATION/JSON; charset=utf-8", "Application/Json");
        List<String> wrong = new ArrayList<>();
        String clerk = "Authorization: " + Http.basic("clerk", "clerk") + "\r\n";
        for (String accept : accepts) {
            Answer answer = exchange(ME, "GET", API + "/tasks/counts", clerk + "Accept: " + accept + "\r\n", null, false, writers);
            if (answer.status() != 200) {
                wrong.add("GET counts with Accept: " + accept + " -> " + answer);
            }
        }
        for (String type : List.of("text/csv", "text/csv; charset=UTF-8", "Text/CSV;charset=utf-8", "text/csv; header=present", "TEXT/CSV")) {
            byte[] csv = (CSV_HEADER + "G1," + TODAY + ",6100,CC1,1.00,0,EUR,x\r\n").getBytes(StandardCharsets.UTF_8);
            Answer answer = exchange(ME, "POST", API + "/task-types/ledger.validate/tasks", clerk + "Content-Type: " + type + "\r\n", csv, false,
                    writers);
            if (answer.status() != 202) {
                wrong.add("submit CSV as " + type + " -> " + answer);
            } else {
                ORDINARY_TASKS.add(LOCATION_ID.matcher(answer.header("Location")).results().findFirst().orElseThrow().group(1));
            }
        }
        // TRACE reaches the server's handlers now (the listener lets it through): none may echo the request
        for (String path : List.of(API + "/tasks/counts", "/taskbridge/index.xhtml", "/taskbridge/", "/", "/taskbridge/openapi")) {
            Answer answer = exchange(ME, "TRACE", path, clerk + "Cookie: JSESSIONID=secret-cookie\r\n", null, false, writers);
            if (answer.status() < 400 || answer.status() >= 500 || answer.body().contains("secret-cookie")
                    || answer.body().contains(Http.basic("clerk", "clerk").substring(6))) {
                wrong.add("TRACE " + path + " -> " + answer);
            }
        }
        return wrong;
    }

    /** The tasks that {@link #ordinaryHeadersStillWork} created. */
    private static final Set<String> ORDINARY_TASKS = new HashSet<>();

    /** Why the answer is wrong, or null if it is not. */
    private static String judge(Case c, Answer answer) {
        int status = answer.status();
        if (status >= 500) {
            if (status == 503 && answer.header("Retry-After") != null) {
                return null;
            }
            return "a server error";
        }
        boolean head = c.method().equals("HEAD");
        if (status >= 400 && !head) {
            if (byTheHttpServer(c) && answer.body().isEmpty()) {
                return null; // refused by the HTTP server, before any application code: it has no words
            }
            String message = message(answer);
            if (message == null || message.isBlank()) {
                return "a " + status + " without a message";
            }
            if (c.target().startsWith(API + "/") && !byTheHttpServer(c) && !isJson(answer)) {
                return "an API error that is not the API's JSON error";
            }
        }
        if (c.form() != Form.NONE && status == 200 && isTheFormsPost(c)) {
            boolean done = c.form() == Form.UPLOAD && CHECK_TASK.matcher(answer.body()).find();
            if (!done && !answer.body().contains("message-error")) {
                return "a form post answered without a message";
            }
        }
        return null;
    }

    /**
     * Requests that Undertow's HTTP parser refuses itself, before the application sees them: a
     * target with a broken percent escape (not a URI), and headers no HTTP parser takes. Their 4xx
     * may come without a body; never a 5xx.
     */
    private static boolean byTheHttpServer(Case c) {
        return c.protocol() || BROKEN_ESCAPE.matcher(c.target()).find();
    }

    /**
     * A post of the form as a browser sends it: the form's view state, in the form's encoding.
     * Its refusal must say why on the page; a body the server cannot read as a form is no post of it.
     */
    private static boolean isTheFormsPost(Case c) {
        String type = c.headers().stream().filter(h -> h[0].equals("Content-Type")).map(h -> h[1]).findFirst().orElse("");
        boolean encoding = c.form() == Form.LOGIN ? type.equals("application/x-www-form-urlencoded") : type.contains("boundary=");
        return c.method().equals("POST") && encoding && c.body() != null
                && new String(c.body(), StandardCharsets.ISO_8859_1).contains("${VIEWSTATE}");
    }

    private static boolean isJson(Answer answer) {
        return answer.header("Content-Type") != null && answer.header("Content-Type").startsWith("application/json");
    }

    /** The words of an error: the API's {@code message}, or a page's visible text. */
    private static String message(Answer answer) {
        if (isJson(answer)) {
            try (var reader = Json.createReader(new StringReader(answer.body()))) {
                JsonValue value = reader.readValue();
                if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                    return null;
                }
                JsonObject object = value.asJsonObject();
                return object.containsKey("message") && object.get("message").getValueType() == JsonValue.ValueType.STRING
                        ? object.getString("message") : null;
            } catch (RuntimeException e) {
                return null;
            }
        }
        Matcher error = Pattern.compile("id=\"error-message\">([^<]*)<").matcher(answer.body());
        if (error.find()) {
            return error.group(1);
        }
        Matcher faces = Pattern.compile("class=\"message-error\">([^<]*)<").matcher(answer.body());
        if (faces.find()) {
            return faces.group(1);
        }
        return answer.body().replaceAll("(?s)<[^>]*>", " ").strip();
    }

    /** The task a case created, if its answer says it created one. */
    private static Optional<String> createdBy(Case c, Answer answer) {
        if (answer.status() == 202 && answer.header("Location") != null) {
            Matcher id = LOCATION_ID.matcher(answer.header("Location"));
            if (id.find()) {
                return Optional.of(id.group(1));
            }
        }
        if (c.form() == Form.UPLOAD && answer.status() == 200) {
            Matcher id = CHECK_TASK.matcher(answer.body());
            if (id.find()) {
                return Optional.of(id.group(1));
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------------------------------
    // the corpus
    // ------------------------------------------------------------------------------------------

    /** Draws the cases: every combinator's values appear, in combinations the seed chooses. */
    private static final class Corpus {

        private final Random random;
        private final String task;
        private final List<Caller> callers;
        private final Caller loginPage;
        private final List<Case> cases = new ArrayList<>();

        Corpus(Random random, String task) {
            this.random = random;
            this.task = task;
            String wrongUtf8 = "Basic " + Base64.getEncoder().encodeToString(new byte[]{(byte) 0xC3, 0x28, ':', (byte) 0xFF});
            this.callers = List.of(
                    new Caller("anonymous", ME, null, null),
                    new Caller("clerk", ME, Http.basic("clerk", "clerk"), null),
                    new Caller("clerk2", ME, Http.basic("clerk2", "clerk2"), null),
                    new Caller("supervisor", ME, Http.basic("supervisor", "supervisor"), null),
                    new Caller("admin", ME, Http.basic("admin", "admin"), null),
                    new Caller("operator", ME, Http.basic("operator", "operator"), null),
                    new Caller("clerk's session", ME, null, "clerk"),
                    new Caller("admin's session", ME, null, "admin"),
                    new Caller("a wrong password", GUESSER, Http.basic("clerk", "guess"), null),
                    new Caller("an unknown user", GUESSER, Http.basic("<script>alert(1)</script>", "x"), null),
                    new Caller("BASIC without a colon", GUESSER, "Basic " + Base64.getEncoder().encodeToString("clerk".getBytes()), null),
                    new Caller("BASIC not base64", GUESSER, "Basic !!!%%%", null),
                    new Caller("BASIC empty", GUESSER, "Basic ", null),
                    new Caller("BASIC of bad UTF-8", GUESSER, wrongUtf8, null),
                    new Caller("BASIC with control characters", GUESSER, Http.basic("cl\u0000erk", "\u0007"), null),
                    new Caller("a bearer token", GUESSER, "Bearer eyJhbGciOiJub25lIn0.e30.", null),
                    new Caller("a long user name", GUESSER, Http.basic("u".repeat(3000), "p"), null),
                    new Caller("prometheus (role monitor)", ME, Http.basic("prometheus", "prometheus"), null));
            this.loginPage = new Caller("nobody on the login page", GUESSER, null, null);
        }

        List<Case> build() {
            // every hostile body at the submit endpoint at least once, then at random
            List<Body> bodies = bodies();
            for (Body body : bodies) {
                add("submit " + body.name(), pick(callers.subList(1, 6)), "POST", API + "/task-types/" + pick(TYPES) + "/tasks" + pick(SUBMIT_QUERIES),
                        headers(body.contentType()), body.bytes(), false, Form.NONE, false);
            }
            for (Body body : bodies) {
                multipart("upload " + body.name(), pick(callers.subList(1, 8)), pick(TYPES), body, random.nextBoolean());
            }
            for (String[] broken : BROKEN_MULTIPART) {
                // as a user whose request reaches the multipart reader, with no other header in the way
                add("broken multipart: " + broken[0], pick(callers.subList(1, 6)), "POST", API + "/task-types/ledger.validate/tasks",
                        List.of(new String[]{"Content-Type", broken[1]}, new String[]{"Accept", "application/json"}),
                        broken[2].getBytes(StandardCharsets.ISO_8859_1), false, Form.NONE, false);
            }
            big();
            accepted(bodies.subList(0, 3));
            for (Body body : bodies.subList(0, Math.min(12, bodies.size()))) {
                uploadForm("upload page: " + body.name(), body, true, true);
            }
            uploadForm("upload page without the form token", bodies.get(0), false, true);
            uploadForm("upload page without the view state", bodies.get(0), true, false);
            uploadForm("upload page with another view state", bodies.get(0), true, null);
            for (int i = 0; i < 24; i++) {
                loginForm(i);
            }
            List<Function<Caller, Case>> endpoints = endpoints(bodies);
            for (int i = 0; i < RANDOM_CASES; i++) {
                // mostly callers who get past authentication, so that the hostile parts reach the application
                Caller caller = random.nextInt(4) == 0 ? pick(callers) : pick(callers.subList(0, 8));
                cases.add(endpoints.get(i % endpoints.size()).apply(caller));
            }
            return cases;
        }

        private void add(String what, Caller caller, String method, String target, List<String[]> headers, byte[] body,
                         boolean chunked, Form form, boolean protocol) {
            cases.add(new Case(cases.size(), what, caller, method, target, headers, body, chunked, form, protocol));
        }

        private Case make(String what, Caller caller, String method, String target, List<String[]> headers, byte[] body,
                          boolean protocol) {
            return new Case(cases.size(), what, caller, method, target, headers, body, false, Form.NONE, protocol);
        }

        private List<String[]> headers(String contentType) {
            List<String[]> headers = new ArrayList<>();
            if (contentType != null) {
                headers.add(new String[]{"Content-Type", contentType});
            }
            headers.add(new String[]{"Accept", random.nextInt(4) == 0 ? pick(ACCEPTS) : "application/json"});
            if (random.nextInt(3) == 0) {
                String[] extra = pick(EXTRA_HEADERS);
                headers.add(new String[]{extra[0], extra[1]});
            }
            return headers;
        }

        /** The endpoints, each with its hostile variations. */
        private List<Function<Caller, Case>> endpoints(List<Body> bodies) {
            List<Function<Caller, Case>> all = new ArrayList<>();
            all.add(c -> {
                Body body = pick(bodies);
                String type = random.nextInt(3) == 0 ? pick(CONTENT_TYPES) : body.contentType();
                return make("submit " + body.name() + " as " + type, c, "POST", API + "/task-types/" + pick(TYPES) + "/tasks" + pick(SUBMIT_QUERIES),
                        headers(type), body.bytes(), false);
            });
            all.add(c -> make("read a task", c, pick(METHODS), API + "/tasks/" + id(), headers(null), maybeBody(bodies), false));
            all.add(c -> make("history", c, pick(METHODS), API + "/tasks/" + id() + "/history", headers(null), maybeBody(bodies), false));
            all.add(c -> make("export", c, pick(METHODS), API + "/tasks/" + id() + "/exports/" + pick(EXPORTS), headers(null),
                    maybeBody(bodies), false));
            all.add(c -> make("cancel", c, pick(List.of("POST", "POST", "GET", "PUT", "DELETE")), API + "/tasks/" + id() + "/cancel",
                    headers(random.nextBoolean() ? null : pick(CONTENT_TYPES)), maybeBody(bodies), false));
            all.add(c -> make("retry", c, pick(List.of("POST", "POST", "GET", "PATCH")), API + "/tasks/" + id() + "/retry",
                    headers(random.nextBoolean() ? null : pick(CONTENT_TYPES)), maybeBody(bodies), false));
            all.add(c -> make("counts", c, pick(METHODS), API + "/tasks/counts" + pick(LIST_QUERIES), headers(null), maybeBody(bodies), false));
            all.add(c -> make("list", c, pick(List.of("GET", "GET", "GET", "POST", "HEAD")), API + "/tasks" + pick(LIST_QUERIES),
                    headers(null), maybeBody(bodies), false));
            all.add(c -> make("list", c, "GET", API + "/tasks" + pick(LIST_QUERIES), headers(null), null, false));
            all.add(c -> make("task types", c, pick(METHODS), API + "/task-types" + pick(LIST_QUERIES), headers(null), maybeBody(bodies), false));
            all.add(c -> make("engine facts", c, pick(METHODS), API + "/admin/engine" + pick(LIST_QUERIES), headers(null),
                    maybeBody(bodies), false));
            all.add(c -> {
                List<String[]> headers = headers(null);
                headers.add(new String[]{"Accept", pick(List.of("text/plain", "application/openmetrics-text", "*/*",
                        "application/json", "garbage"))});
                return make("metrics", c, pick(METHODS), API + "/metrics" + pick(LIST_QUERIES), headers, maybeBody(bodies), false);
            });
            all.add(c -> {
                List<String[]> headers = new ArrayList<>();
                headers.add(new String[]{"Accept", pick(List.of("text/event-stream", "application/json", "*/*", "text/html", "garbage"))});
                String path = random.nextBoolean() ? "/events" : "/tasks/" + id() + "/events";
                return make("event stream", c, pick(List.of("GET", "GET", "POST", "DELETE")), API + path + pick(LIST_QUERIES), headers,
                        null, false);
            });
            all.add(c -> make("a spelling of a path", c, pick(METHODS), pick(PATHS), headers(pick(CONTENT_TYPES)), maybeBody(bodies),
                    false));
            all.add(c -> {
                String[] header = pick(HOSTILE_HEADERS);
                List<String[]> headers = headers(pick(CONTENT_TYPES));
                headers.add(new String[]{header[0], header[1]});
                boolean submit = random.nextBoolean();
                return make("a hostile header " + header[0], c, submit ? "POST" : "GET",
                        submit ? API + "/task-types/ledger.validate/tasks" : API + "/tasks/" + id(), headers,
                        submit ? pick(bodies).bytes() : null, header.length > 2);
            });
            all.add(c -> make("a page", c, pick(List.of("GET", "GET", "POST", "HEAD")), "/taskbridge/" + pick(PAGES),
                    List.<String[]>of(new String[]{"Accept", "text/html"}), null, false));
            return all;
        }

        private String id() {
            return random.nextInt(3) == 0 ? task : pick(IDS);
        }

        private byte[] maybeBody(List<Body> bodies) {
            return random.nextInt(4) == 0 ? pick(bodies).bytes() : null;
        }

        private void multipart(String what, Caller caller, String type, Body body, boolean withOption) {
            String boundary = "fuzz" + Long.toHexString(random.nextLong());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (withOption) {
                part(out, boundary, "Content-Disposition: form-data; name=\"" + pick(List.of("checkOnly", "onErrors", "chunkLines",
                        "<script>", "checkOnly")) + "\"", pick(OPTION_VALUES).getBytes(StandardCharsets.UTF_8));
            }
            part(out, boundary, "Content-Disposition: form-data; name=\"file\"; filename=\"" + pick(FILE_NAMES) + "\"\r\nContent-Type: "
                    + pick(List.of(body.contentType() == null ? "application/octet-stream" : body.contentType(), "application/octet-stream",
                    "application/vnd.ms-excel", "image/png", "text/csv", "", "garbage")), body.bytes());
            out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
            add(what, caller, "POST", API + "/task-types/" + type + "/tasks" + pick(SUBMIT_QUERIES),
                    headers("multipart/form-data; boundary=" + boundary), out.toByteArray(), false, Form.NONE, false);
        }

        /**
         * Valid files as every user who may submit them, and one idempotency key used again: for
         * the same request (200, nothing new), for another payload and another type (422, nothing stored).
         */
        private void accepted(List<Body> valid) {
            for (Body body : valid) {
                for (Caller caller : callers.subList(1, 6)) {
                    add("submit " + body.name(), caller, "POST", API + "/task-types/" + pick(List.of("ledger.validate/tasks", "ledger.post/tasks?checkOnly=true")),
                            headers(body.contentType()), body.bytes(), false, Form.NONE, false);
                }
            }
            String key = "fuzz-" + SEED;
            for (String[] use : new String[][]{{"ledger.validate/tasks", "0"}, {"ledger.validate/tasks", "0"},
                    {"ledger.validate/tasks", "1"}, {"ledger.post/tasks?checkOnly=true", "0"}}) {
                Body body = valid.get(Integer.parseInt(use[1]));
                List<String[]> headers = List.of(new String[]{"Content-Type", body.contentType()},
                        new String[]{"Accept", "application/json"}, new String[]{"Idempotency-Key", key});
                add("submit with the key " + key + " again", callers.get(1), "POST", API + "/task-types/" + use[0], headers, body.bytes(),
                        false, Form.NONE, false);
            }
        }

        /** Bodies beyond 20 MiB, with their length declared and without it: a handful, as they are slow. */
        private void big() {
            byte[] huge = new byte[21 * MIB];
            Arrays.fill(huge, (byte) 'a');
            add("21 MiB declared", callers.get(1), "POST", API + "/task-types/ledger.validate/tasks", headers("text/csv"), huge, false,
                    Form.NONE, false);
            add("21 MiB chunked", callers.get(1), "POST", API + "/task-types/ledger.validate/tasks", headers("application/json"), huge, true,
                    Form.NONE, false);
            String boundary = "fuzzbig";
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            part(out, boundary, "Content-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\nContent-Type: text/csv", huge);
            out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
            add("21 MiB multipart chunked", callers.get(1), "POST", API + "/task-types/ledger.post/tasks",
                    headers("multipart/form-data; boundary=" + boundary), out.toByteArray(), true, Form.NONE, false);
            uploadForm("upload page: 20 MiB and a little", new Body("20 MiB and a little", "text/csv",
                    Arrays.copyOf(huge, 20 * MIB + 1000)), true, true);
        }

        /** A post of the upload form; {@code viewState} null sends one that the session never had. */
        private void uploadForm(String what, Body body, boolean csrf, Boolean viewState) {
            String boundary = "fuzzform" + Long.toHexString(random.nextLong());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            part(out, boundary, "Content-Disposition: form-data; name=\"submit\"", "submit".getBytes(StandardCharsets.UTF_8));
            if (csrf) {
                part(out, boundary, "Content-Disposition: form-data; name=\"tb-csrf\"", "${CSRF}".getBytes(StandardCharsets.UTF_8));
            }
            part(out, boundary, "Content-Disposition: form-data; name=\"submit:file\"; filename=\"" + pick(FILE_NAMES)
                    + "\"\r\nContent-Type: " + (body.contentType() == null ? "application/octet-stream" : body.contentType()), body.bytes());
            part(out, boundary, "Content-Disposition: form-data; name=\"submit:options:0:choice\"", pick(OPTION_VALUES).getBytes(StandardCharsets.UTF_8));
            part(out, boundary, "Content-Disposition: form-data; name=\"submit:send\"", "Check the file".getBytes(StandardCharsets.UTF_8));
            if (viewState == null || viewState) {
                part(out, boundary, "Content-Disposition: form-data; name=\"jakarta.faces.ViewState\"",
                        (viewState == null ? "-1234567890123456789:-987654321" : "${VIEWSTATE}").getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
            List<String[]> headers = new ArrayList<>();
            headers.add(new String[]{"Content-Type", "multipart/form-data; boundary=" + boundary});
            headers.add(new String[]{"Accept", "text/html"});
            add(what, pick(List.of(callers.get(6), callers.get(7))), "POST", "/taskbridge/submit.xhtml", headers, out.toByteArray(),
                    false, Form.UPLOAD, false);
        }

        private void loginForm(int i) {
            String user = pick(List.of("clerk", "admin", "", "<script>alert(1)</script>", "clerk\u0000", "x".repeat(5000),
                    "' OR 1=1 --", "\u202Eadmin", "clerk\r\nX-Injected: 1"));
            String password = pick(List.of("clerk", "admin", "", "wrong", "\u0000", "p".repeat(10_000), "%00"));
            String next = pick(List.of("/", "//evil.example/", "https://evil.example", "/\r\nLocation: http://evil", "/task.xhtml?id=1",
                    "javascript:alert(1)", "%2F%2Fevil", "/" + "n".repeat(4000)));
            String state = i % 6 == 5 ? "bogus" : i % 6 == 4 ? null : "${VIEWSTATE}";
            StringBuilder form = new StringBuilder("login=login");
            form.append("&login%3Ausername=").append(URLEncoder.encode(user, StandardCharsets.UTF_8));
            form.append("&login%3Apassword=").append(URLEncoder.encode(password, StandardCharsets.UTF_8));
            form.append("&login%3Anext=").append(URLEncoder.encode(next, StandardCharsets.UTF_8));
            form.append("&login%3Asubmit=Log+in");
            if (i % 7 == 3) {
                form.append("&%ZZ=%%&=&&login%3Ausername=twice");
            }
            if (state != null) {
                form.append("&jakarta.faces.ViewState=").append(state);
            }
            List<String[]> headers = new ArrayList<>();
            headers.add(new String[]{"Content-Type", pick(List.of("application/x-www-form-urlencoded", "application/x-www-form-urlencoded",
                    "application/x-www-form-urlencoded; charset=utf-16", "text/plain", "multipart/form-data"))});
            headers.add(new String[]{"Accept", "text/html"});
            add("login form " + i, loginPage, pick(List.of("POST", "POST", "POST", "PUT")),
                    "/taskbridge/login.xhtml" + (i % 5 == 2 ? "?next=%2F%2Fevil.example" : ""), headers,
                    form.toString().getBytes(StandardCharsets.UTF_8), false, Form.LOGIN, false);
        }

        private <T> T pick(List<T> values) {
            return values.get(random.nextInt(values.size()));
        }

        private <T> T pick(T[] values) {
            return values[random.nextInt(values.length)];
        }
    }

    private static void part(ByteArrayOutputStream out, String boundary, String headers, byte[] content) {
        out.writeBytes(("--" + boundary + "\r\n" + headers + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A payload: a name for the report, its natural content type (null: none), its bytes. */
    private record Body(String name, String contentType, byte[] bytes) {
    }

    private static final String CSV_HEADER = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n";

    private static String jsonLine(String debit, String description) {
        return "{\"documentNumber\": \"F1\", \"postingDate\": \"" + TODAY + "\", \"accountCode\": \"6100\", \"costCenter\": \"CC1\","
                + " \"debit\": " + debit + ", \"credit\": \"0\", \"currency\": \"EUR\", \"description\": \"" + description + "\"}";
    }

    private static List<Body> bodies() {
        List<Body> bodies = new ArrayList<>();
        String balanced = "{\"lines\": [" + jsonLine("\"10.00\"", "fuzz") + ", {\"documentNumber\": \"F1\", \"postingDate\": \"" + TODAY
                + "\", \"accountCode\": \"2000\", \"debit\": \"0\", \"credit\": \"10.00\", \"currency\": \"EUR\"}]}";
        json(bodies, "valid JSON", balanced);
        csv(bodies, "valid CSV", CSV_HEADER + "F2," + TODAY + ",6100,CC1,5.00,0,EUR,x\r\nF2," + TODAY + ",2000,CC1,0,5.00,EUR,y\r\n");
        bodies.add(new Body("valid JSON as UTF-8 with BOM", "application/json",
                concat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, balanced.getBytes(StandardCharsets.UTF_8))));
        bodies.add(new Body("empty", "application/json", new byte[0]));
        bodies.add(new Body("no content type", null, balanced.getBytes(StandardCharsets.UTF_8)));
        json(bodies, "whitespace", " \r\n\t ");
        json(bodies, "null", "null");
        json(bodies, "an array", "[]");
        json(bodies, "an empty object", "{}");
        json(bodies, "1e999999999", "1e999999999");
        json(bodies, "a number 1e999999999 as debit", "{\"lines\": [" + jsonLine("1e999999999", "x") + "]}");
        json(bodies, "a number -1e-999999999 as debit", "{\"lines\": [" + jsonLine("-1E-999999999", "x") + "]}");
        json(bodies, "a debit \"1e999999999\"", "{\"lines\": [" + jsonLine("\"1e999999999\"", "x") + "]}");
        json(bodies, "a debit of 400 digits", "{\"lines\": [" + jsonLine("9".repeat(400) + "." + "9".repeat(400), "x") + "]}");
        json(bodies, "NaN and Infinity", "{\"lines\": [" + jsonLine("NaN", "x") + "," + jsonLine("Infinity", "y") + "]}");
        json(bodies, "a hex number", "{\"lines\": [" + jsonLine("0x10", "x") + "]}");
        json(bodies, "nested 100,000 deep", "[".repeat(100_000));
        json(bodies, "nested 100,000 deep in lines", "{\"lines\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}");
        json(bodies, "objects nested 70 deep", "{\"a\":".repeat(70) + "1" + "}".repeat(70));
        json(bodies, "unterminated string", "{\"lines\": [{\"documentNumber\": \"F1");
        json(bodies, "trailing garbage", balanced + " x");
        json(bodies, "two values", "{}{}");
        json(bodies, "duplicate keys", "{\"lines\": [], \"lines\": []}");
        json(bodies, "control characters raw", "{\"lines\": [" + jsonLine("\"1.00\"", "a\u0000b\u0001c\u001f") + "]}");
        json(bodies, "control characters escaped", "{\"lines\": [" + jsonLine("\"1.00\"", "a\\u0000b\\u0007\\u202e") + "]}");
        json(bodies, "a script tag", "{\"lines\": [" + jsonLine("\"1.00\"", "<script>alert(document.cookie)</script>")
                .replace("\"F1\"", "\"<img src=x onerror=alert(1)>\"") + "]}");
        json(bodies, "a formula", "{\"lines\": [" + jsonLine("\"=1+1\"", "=HYPERLINK(\\\"http://evil\\\")") + "]}");
        json(bodies, "a lone surrogate escaped", "{\"lines\": [" + jsonLine("\"1.00\"", "\\ud800") + "]}");
        json(bodies, "a bad escape", "{\"lines\": [" + jsonLine("\"1.00\"", "\\x41") + "]}");
        json(bodies, "unknown fields", "{\"lines\": [{\"__proto__\": {}, \"constructor\": 1}], \"$where\": \"1\"}");
        json(bodies, "lines as a string", "{\"lines\": \"" + "x".repeat(1000) + "\"}");
        json(bodies, "a line as an array", "{\"lines\": [[1, 2, 3], null, true]}");
        json(bodies, "a long description", "{\"lines\": [" + jsonLine("\"1.00\"", "d".repeat(200_000)) + "]}");
        json(bodies, "many fields", "{" + "\"k\": 1, ".repeat(20_000) + "\"lines\": []}");
        json(bodies, "a key of 100,000 characters", "{\"" + "k".repeat(100_000) + "\": 1}");
        bodies.add(new Body("invalid UTF-8", "application/json", concat("{\"lines\": [{\"description\": \"".getBytes(StandardCharsets.UTF_8),
                new byte[]{(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE, (byte) 0xC0, (byte) 0xAF, (byte) 0xED, (byte) 0xA0, (byte) 0x80},
                "\"}]}".getBytes(StandardCharsets.UTF_8))));
        bodies.add(new Body("UTF-16 with BOM", "application/json", concat(new byte[]{(byte) 0xFE, (byte) 0xFF},
                balanced.getBytes(StandardCharsets.UTF_16BE))));
        bodies.add(new Body("UTF-32", "application/json", balanced.getBytes(java.nio.charset.Charset.forName("UTF-32"))));
        bodies.add(new Body("a NUL byte alone", "application/json", new byte[]{0}));
        bodies.add(new Body("random bytes", "application/octet-stream", randomBytes(4096)));
        bodies.add(new Body("gzip magic", "application/json", new byte[]{0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3}));
        csv(bodies, "CSV header only", CSV_HEADER);
        csv(bodies, "CSV unclosed quote", CSV_HEADER + "\"F1," + TODAY + ",6100,CC1,1.00,0,EUR,x\r\n");
        csv(bodies, "CSV a stray quote", CSV_HEADER + "F\"1," + TODAY + ",6100,CC1,1.00,0,EUR,x\r\n");
        csv(bodies, "CSV formula cells", CSV_HEADER + "=cmd|' /C calc'!A0," + TODAY + ",+6100,-CC1,@SUM(1+1),0,EUR,\"=HYPERLINK(\"\"http://evil\"\")\"\r\n");
        csv(bodies, "CSV a script tag", CSV_HEADER + "<script>alert(1)</script>," + TODAY + ",6100,CC1,1.00,0,EUR,</textarea><svg onload=alert(1)>\r\n");
        csv(bodies, "CSV control characters", CSV_HEADER + "F1\u0000," + TODAY + ",6100\u0007,CC1,1.00,0,EUR,\u001b[31m\r\n");
        csv(bodies, "CSV 1e999999999", CSV_HEADER + "F1," + TODAY + ",6100,CC1,1e999999999,0,EUR,x\r\n");
        csv(bodies, "CSV wrong field counts", CSV_HEADER + "F1,x\r\na,b,c,d,e,f,g,h,i,j,k\r\n");
        csv(bodies, "CSV unknown and duplicate columns", "documentNumber,documentNumber,evil,=1+1\r\n1,2,3,4\r\n");
        csv(bodies, "CSV 5,000 columns", "c,".repeat(5000) + "\r\n" + "1,".repeat(5000) + "\r\n");
        csv(bodies, "CSV carriage returns only", CSV_HEADER.replace("\r\n", "\r") + "F1," + TODAY + ",6100,CC1,1.00,0,EUR,x\r");
        csv(bodies, "CSV a quoted line break", CSV_HEADER + "F1," + TODAY + ",6100,CC1,1.00,0,EUR,\"a\r\nb\"\r\n");
        csv(bodies, "CSV 20,000 junk lines", CSV_HEADER + "junk,junk,junk,junk,junk,junk,junk,junk\r\n".repeat(20_000));
        csv(bodies, "CSV that is JSON", balanced);
        bodies.add(new Body("CSV in UTF-16", "text/csv; charset=utf-16", (CSV_HEADER + "F1," + TODAY + ",6100,CC1,1.00,0,EUR,x\r\n")
                .getBytes(StandardCharsets.UTF_16)));
        bodies.add(new Body("CSV in Latin-1", "text/csv; charset=iso-8859-1", (CSV_HEADER + "F1," + TODAY + ",6100,CC1,1.00,0,EUR,caf\u00e9\r\n")
                .getBytes(StandardCharsets.ISO_8859_1)));
        bodies.add(new Body("form data", "application/x-www-form-urlencoded", "lines=1&%ZZ=%&a=b".getBytes(StandardCharsets.UTF_8)));
        bodies.add(new Body("XML", "application/xml", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"
                .getBytes(StandardCharsets.UTF_8)));
        return bodies;
    }

    private static void json(List<Body> bodies, String name, String text) {
        bodies.add(new Body(name, "application/json", text.getBytes(StandardCharsets.UTF_8)));
    }

    private static void csv(List<Body> bodies, String name, String text) {
        bodies.add(new Body(name, "text/csv", text.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(SEED ^ length).nextBytes(bytes);
        return bytes;
    }

    private static final List<String> TYPES = List.of("ledger.validate", "ledger.validate", "ledger.post", "ledger.post", "nope",
            "%3Cscript%3E", "ledger.validate%00", "LEDGER.VALIDATE", "..%2Fadmin", "x".repeat(300), "%E2%80%AE", "ledger.validate;x=y");

    private static final List<String> SUBMIT_QUERIES = List.of("", "", "", "?checkOnly=true", "?checkOnly=true", "?onErrors=evil",
            "?chunkLines=1e999999999", "?chunkLines=99999999999999999999", "?chunkLines=-1", "?checkOnly=true&checkOnly=false",
            "?%3Cscript%3E=1", "?x=%00%0d%0a", "?checkOnly=%ZZ", "?=", "?&&&", "?checkOnly", "?onErrors=" + "p".repeat(5000),
            "?checkOnly=TRUE&onErrors=post-valid-documents&chunkLines=1");

    private static final List<String> LIST_QUERIES = List.of("", "", "?limit=500", "?limit=0", "?limit=1e999999999", "?limit=-1",
            "?limit=99999999999999999999", "?offset=2147483647", "?offset=-5", "?offset=1.5", "?status=evil", "?status=succeeded",
            "?status=%00", "?from=2026-02-30", "?from=+999999999-12-31", "?to=+999999999-12-31", "?from=-999999999-01-01",
            "?to=-999999999-01-01", "?from=0000-01-01&to=9999-12-31", "?to=1970-01-01", "?from=%3Cscript%3E", "?owner=%27%20OR%201%3D1--",
            "?owner=" + "o".repeat(3000), "?type=%25&owner=%25", "?type=ledger.validate&status=SUCCEEDED&from=2020-01-01&to=2099-12-31",
            "?limit=1&limit=2", "?offset=%ZZ", "?status=CANCELLED&status=FAILED");

    private static final List<String> IDS = List.of("00000000-0000-0000-0000-000000000000", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "..%2F..%2Fetc%2Fpasswd", "%00", "%C0%AF", "%E2%80%AE", "i".repeat(5000), "%27%20OR%201%3D1--", "1e999999999", "-1",
            "x;jsessionid=y", "%F0%9F%92%A9", "%0d%0aSet-Cookie:%20x=1", "%25", "%2e%2e", "counts%2F..", "NaN");

    private static final List<String> EXPORTS = List.of("errors.csv", "errors.csv", "nope.csv", "..%2F..%2Fstandalone.xml", "%00",
            "errors.csv%00.html", "e".repeat(3000), "errors.CSV", "%3Cscript%3E");

    private static final List<String> METHODS = List.of("GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD",
            "TRACE", "FOO", "PROPFIND");

    private static final List<String> CONTENT_TYPES = List.of("application/json", "text/csv", "text/csv; charset=utf-16",
            "application/json; charset=EBCDIC", "application/json; charset=\"", "text/plain", "application/xml",
            "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"unclosed", "", "garbage",
            "application/json;;;", "*/*", "application/", "/json", "text/csv; q=abc", "application/x-www-form-urlencoded",
            "application/json; charset=utf-8; charset=latin1", "APPLICATION/JSON", "text/csv; boundary=x; a=\u00e9");

    private static final List<String> ACCEPTS = List.of("*/*", "text/html", "garbage", "application/json;q=abc", "a/b/c",
            "text/event-stream", "application/xml", "*/*;q=0", "application/json;q=2", ",,,", "text/csv");

    private static final String[][] EXTRA_HEADERS = {
            {"Idempotency-Key", "fuzz-key"}, {"Accept-Charset", "ebcdic"}, {"Accept-Language", "xx-;q=abc"},
            {"Origin", "http://evil.example"}, {"Sec-Fetch-Site", "cross-site"}, {"Accept-Encoding", "gzip, br, zstd, x"},
            {"If-None-Match", "*"}, {"Range", "bytes=0-0,-1"}, {"Cookie", "JSESSIONID=forged"}, {"X-HTTP-Method-Override", "DELETE"}};

    /** Hostile headers; a third element marks those the HTTP parser may refuse before the application. */
    private static final String[][] HOSTILE_HEADERS = {
            {"Idempotency-Key", ""}, {"Idempotency-Key", " "}, {"Idempotency-Key", "k".repeat(201)}, {"Idempotency-Key", "k".repeat(200)},
            {"Idempotency-Key", "<script>alert(1)</script>"}, {"Idempotency-Key", "caf\u00c3\u00a9-\u00e2\u0080\u00ae"},
            {"Idempotency-Key", "a\u0001b", "protocol"}, {"Content-Encoding", "gzip"}, {"Content-Encoding", "deflate, br"},
            {"Content-Language", "\u00ff\u00fe"}, {"Accept", "text/html;level=\"unclosed"}, {"Accept", "*/*;q=NaN"},
            {"Transfer-Encoding", "identity", "protocol"}, {"Expect", "100-continue"}, {"Expect", "something-else"},
            {"X-Forwarded-For", "<script>, ::1, 999.999.999.999"}, {"X-Forwarded-Proto", "gopher"}, {"X-Forwarded-Host", "evil.example"},
            {"Host", "evil.example", "protocol"}, {"Cookie", "JSESSIONID=" + "c".repeat(4000)}, {"Cookie", "=; ;;=;"},
            {"Authorization", "Basic " + "A".repeat(10_000)}, {"Sec-Fetch-Mode", "navigate"}, {"X-Long", "v".repeat(7000)},
            {"Content-Type", "application/json", "protocol"}};

    private static final List<String> PATHS = List.of("/taskbridge/api", "/taskbridge/api/", "/taskbridge/api/tasks/",
            "/taskbridge/api/tasks//ledger.validate", "/taskbridge/api;x/tasks/ledger.validate", "/taskbridge/%61pi/tasks/counts",
            "/taskbridge/api/%2e%2e/api/tasks", "/taskbridge/api/tasks/ledger.validate/", "/taskbridge/api/tasks/x/y/z/w",
            "/taskbridge/api/nothing", "/taskbridge/api/admin", "/taskbridge/api/admin/engine/x", "/taskbridge/x/../api/tasks/counts",
            "/taskbridge//api//tasks", "/taskbridge/api/tasks/%2F", "/taskbridge/api/tasks?%", "/taskbridge/nothing.xhtml",
            "/taskbridge/WEB-INF/web.xml", "/taskbridge/%57EB-INF/web.xml", "/taskbridge/error", "/taskbridge/jakarta.faces.resource/x.js",
            "/taskbridge/api/" + "a/".repeat(1000), "/taskbridge/" + "p".repeat(6000), "/taskbridge/api/tasks/%u0041",
            "/taskbridge/META-INF/MANIFEST.MF", "/taskbridge/index.xhtml;jsessionid=x", "/taskbridge/api/admin/:x",
            "/taskbridge/api/tasks/a:b/retry", "/taskbridge/types.xhtml:x", "/taskbridge/error/api",
            "/taskbridge/api/task-types//ledger.validate/tasks", "/taskbridge/api/task-types/ledger.validate/tasks/",
            "/taskbridge/api/task-types/%2F/tasks", "/taskbridge/openapi/x");

    private static final List<String> PAGES = List.of("", "index.xhtml", "index.xhtml?status=evil&from=1e999999999&to=%00&page=-1",
            "index.xhtml?page=99999999999999&type=%3Cscript%3E", "index.xhtml?from=+999999999-12-31&to=-999999999-01-01",
            "task.xhtml", "task.xhtml?id=%3Cscript%3E", "task.xhtml?id=" + "i".repeat(5000), "task.xhtml?id=00000000-0000-0000-0000-000000000000",
            "submit.xhtml", "submit.xhtml?type=ledger.post", "submit.xhtml?type=%ZZ", "submit.xhtml?type=%3Cb%3Ex%3C%2Fb%3E",
            "types.xhtml", "login.xhtml?next=%2F%2Fevil.example", "login.xhtml?next=%0d%0a",
            "login.xhtml?loggedOut=%3Cscript%3E", "index.xhtml?owner=%27%20OR%201%3D1--&limit=0");

    private static final List<String> OPTION_VALUES = List.of("reject-file", "post-valid-documents", "true", "false", "",
            "<script>alert(1)</script>", "1e999999999", "v".repeat(1200), "\u0000", "=1+1");

    private static final List<String> FILE_NAMES = List.of("ledger.csv", "ledger.json", "../../../etc/passwd",
            "<script>alert(1)<\\/script>.csv", "x.exe", "", "a\u0000b.csv", "\u202Eslx.csv", "n".repeat(1000) + ".json");

    private static final String[][] BROKEN_MULTIPART = {
            {"no boundary", "multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--x--\r\n"},
            {"no closing boundary", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"},
            {"a part without a name", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--x--\r\n"},
            {"a part without headers", "multipart/form-data; boundary=x", "--x\r\n\r\nabc\r\n--x--\r\n"},
            {"no parts", "multipart/form-data; boundary=x", "--x--\r\n"},
            {"an empty body", "multipart/form-data; boundary=x", ""},
            {"another boundary", "multipart/form-data; boundary=x", "--y\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--y--\r\n"},
            {"the file twice", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
                    + "Content-Type: text/csv\r\n\r\n" + CSV_HEADER + "\r\n--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.json\"\r\n"
                    + "Content-Type: application/json\r\n\r\n{}\r\n--x--\r\n"},
            {"an option twice", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"checkOnly\"\r\n\r\ntrue\r\n"
                    + "--x\r\nContent-Disposition: form-data; name=\"checkOnly\"\r\n\r\nfalse\r\n--x--\r\n"},
            {"a broken part header", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\r\n"
                    + "Content-Type: \u0000\r\n\r\nabc\r\n--x--\r\n"},
            {"a part content type without subtype", "multipart/form-data; boundary=x",
                    "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text\r\n\r\nabc\r\n--x--\r\n"},
            {"a boundary of 1,000 characters", "multipart/form-data; boundary=" + "b".repeat(1000), "--" + "b".repeat(1000) + "--\r\n"},
            {"a name with a quote", "multipart/form-data; boundary=x",
                    "--x\r\nContent-Disposition: form-data; name=\"fi\\\"le\"; filename*=UTF-8''%E2%80%AE.csv\r\n\r\nabc\r\n--x--\r\n"}};

    // ------------------------------------------------------------------------------------------
    // the wire
    // ------------------------------------------------------------------------------------------

    private static Answer send(Case c, Map<String, String> sessions, ExecutorService writers) throws IOException {
        byte[] body = c.body();
        StringBuilder head = new StringBuilder();
        String target = c.target();
        if (c.form() != Form.NONE) {
            String cookie = c.form() == Form.LOGIN ? null : sessions.get(c.caller().sessionUser());
            String page = c.form() == Form.LOGIN ? "/taskbridge/login.xhtml" : "/taskbridge/submit.xhtml?type=ledger.post";
            Answer form = exchange(c.caller().from(), "GET", page, cookie == null ? "" : "Cookie: " + cookie + "\r\n", null, false, writers);
            if (c.form() == Form.LOGIN) {
                String setCookie = form.header("Set-Cookie");
                cookie = setCookie == null ? null : setCookie.split(";", 2)[0];
            }
            Matcher state = VIEW_STATE.matcher(form.body());
            Matcher csrf = CSRF.matcher(form.body());
            String viewState = state.find() ? state.group(1) : "none";
            String text = new String(body, StandardCharsets.ISO_8859_1)
                    .replace("${VIEWSTATE}", c.form() == Form.LOGIN ? URLEncoder.encode(viewState, StandardCharsets.UTF_8) : viewState)
                    .replace("${CSRF}", csrf.find() ? csrf.group(1) : "none");
            body = text.getBytes(StandardCharsets.ISO_8859_1);
            if (cookie != null) {
                head.append("Cookie: ").append(cookie).append("\r\n");
            }
        } else if (c.caller().sessionUser() != null) {
            head.append("Cookie: ").append(sessions.get(c.caller().sessionUser())).append("\r\n");
        }
        if (c.caller().authorization() != null && c.headers().stream().noneMatch(h -> h[0].equals("Authorization"))) {
            head.append("Authorization: ").append(c.caller().authorization()).append("\r\n");
        }
        for (String[] header : c.headers()) {
            head.append(header[0]).append(": ").append(header[1]).append("\r\n");
        }
        return exchange(c.caller().from(), c.method(), target, head.toString(), body, c.chunked(), writers);
    }

    /**
     * One request on a connection of its own ({@code Connection: close}), its body written by
     * another thread, so that an answer the server sends before it reads the body (a 413) is read.
     */
    private static Answer exchange(String from, String method, String target, String headers, byte[] body, boolean chunked,
                                   ExecutorService writers) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(HOST, 8080), 10_000);
            socket.setSoTimeout(60_000);
            StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
            if (!headers.regionMatches(true, 0, "Host:", 0, 5) && !headers.contains("\r\nHost:")) {
                head.append("Host: 127.0.0.1:8080\r\n");
            }
            head.append("Connection: close\r\n").append(headers);
            if (body != null && chunked) {
                head.append("Transfer-Encoding: chunked\r\n");
            } else if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Future<?> writing = body == null ? null : writers.submit(() -> {
                try {
                    if (chunked) {
                        for (int at = 0; at < body.length; at += 65_536) {
                            int length = Math.min(65_536, body.length - at);
                            out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                            out.write(body, at, length);
                            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        }
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    } else {
                        out.write(body);
                    }
                    out.flush();
                } catch (IOException e) {
                    // the server answered without reading the rest
                }
            });
            InputStream in = socket.getInputStream();
            String[] lines;
            do {
                lines = Http.readHead(in).strip().split("\r\n");
            } while (lines[0].split(" ")[1].startsWith("1"));
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> received = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                received.merge(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip(),
                        (a, b) -> a + ", " + b);
            }
            String text = "";
            boolean stream = received.getOrDefault("content-type", "").startsWith("text/event-stream");
            if (!method.equals("HEAD") && !stream && status != 204 && status != 304) {
                byte[] bytes;
                if ("chunked".equalsIgnoreCase(received.get("transfer-encoding"))) {
                    bytes = dechunk(in);
                } else if (received.containsKey("content-length")) {
                    bytes = in.readNBytes(Integer.parseInt(received.get("content-length")));
                } else {
                    bytes = in.readAllBytes();
                }
                text = new String(bytes, StandardCharsets.UTF_8);
            }
            if (writing != null) {
                socket.shutdownOutput();
                writing.cancel(true);
            }
            return new Answer(status, received, text);
        }
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            StringBuilder size = new StringBuilder();
            for (int next = in.read(); next != '\n'; next = in.read()) {
                if (next < 0) {
                    return out.toByteArray();
                }
                size.append((char) next);
            }
            int length = Integer.parseInt(size.toString().strip().split(";")[0], 16);
            if (length == 0) {
                return out.toByteArray();
            }
            out.writeBytes(in.readNBytes(length));
            in.readNBytes(2);
        }
    }

    // ------------------------------------------------------------------------------------------
    // the tasks
    // ------------------------------------------------------------------------------------------

    /** Every task id, read as admin (who sees every task), page by page. */
    private static Set<String> allTaskIds() {
        Set<String> ids = new HashSet<>();
        for (int offset = 0; ; offset += 500) {
            Api.Reply page = Api.as("admin").get("/tasks?limit=500&offset=" + offset);
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            var rows = page.json().asJsonArray();
            rows.forEach(row -> ids.add(row.asJsonObject().getString("id")));
            if (rows.size() < 500) {
                return ids;
            }
        }
    }

    /** A ledger check of clerk's whose result lists errors, which it offers as a CSV export. */
    private static String clerksTaskWithErrors() {
        String id = Api.as("clerk").post("/task-types/ledger.validate/tasks", "application/json",
                "{\"lines\": [{\"documentNumber\": \"M1\", \"postingDate\": \"2026-11-02\", \"accountCode\": \"1000\","
                        + " \"debit\": \"1.005\", \"currency\": \"EUR\"}]}").object().getString("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> Api.as("clerk").get("/tasks/" + id).object().getString("status").equals("SUCCEEDED"));
        return id;
    }

    private static String abbreviate(String text, int length) {
        return text.length() > length ? text.substring(0, length) + "... (" + text.length() + " characters)" : text;
    }

    private static String printable(String text) {
        StringBuilder shown = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (cp < 0x20 && cp != '\n' || cp == 0x7f) {
                shown.append(String.format("\\x%02x", cp));
            } else if (cp == '\n') {
                shown.append("\\n");
            } else {
                shown.append(Character.toChars(cp));
            }
        });
        return shown.toString();
    }
}
