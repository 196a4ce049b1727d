package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpCookie;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The production server the build makes (server-config's target/server-production,
 * configure-production.cli), run as an operator would: users added with add-user.sh, secrets
 * stored with taskbridge-secret.sh, the server started on its own base directory.
 */
class ProductionServerIT {

    private static final Path HOME = Path.of(System.getProperty("taskbridge.production.home"));
    private static final Path EAR = Path.of(System.getProperty("taskbridge.ear"));
    private static final Path BASE_DIR = Path.of("target", "production-server").toAbsolutePath();
    private static final Path CONFIGURATION = BASE_DIR.resolve("configuration");
    private static final int HTTPS_PORT = 8443 + ServerProcess.PORT_OFFSET;
    private static final String APP = "https://127.0.0.1:" + HTTPS_PORT + "/taskbridge";
    private static final String PLAIN_HTTP = "http://127.0.0.1:" + (8080 + ServerProcess.PORT_OFFSET) + "/taskbridge/";

    /** Secrets an operator might well choose, with what breaks quoting in a shell or the WildFly CLI. */
    private static final String TLS_PASSWORD = "tls \"pass\" \\ $HOME ${user.home} `id`";
    private static final String PG_PASSWORD = "pg-\"secret\"\\ ${taskbridge.pg.user} 42";
    private static final String ALICE_PASSWORD = "Alice-Own-Pass-7!";
    /** The database the server runs on, as the operator set it up (.ci/postgres.sh); read to see what was made in it. */
    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/taskbridge_test";

    private static final String LEDGER_CSV = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n"
            + "P1,2026-11-02,1000,CC1,100.00,0,EUR,cash\r\n"
            + "P1,2026-11-02,2000,CC1,0,100.00,EUR,payable\r\n";

    @Test
    void servesOnlyOverHttpsWithTheOperatorsCertificateAndKeepsItsSecretsOutOfFilesAndTheProcessList() throws Exception {
        ServerProcess server = ServerProcess.prepare(HOME, BASE_DIR, EAR, List.of(
                "-Dtaskbridge.datasource=java:jboss/datasources/TaskbridgePostgresDS",
                "-Dtaskbridge.pg.database=taskbridge_test"));
        Path keyStore = CONFIGURATION.resolve("taskbridge-tls.p12");
        // the password first: the embedded server the script runs would fail to open the new key store with the old one
        secret("tls-password", TLS_PASSWORD);
        keytool(keyStore);
        secret("pg-password", PG_PASSWORD);
        run(List.of(HOME.resolve("bin/add-user.sh").toString(), "-a", "-u", "alice", "-p", ALICE_PASSWORD,
                "-g", "clerk", "-sc", CONFIGURATION.toString()), null);
        dropTheBooks(); // demo servers on this database made demo books and invoices before

        try (ServerProcess running = server.launch()) {
            Api alice = Api.as("alice", ALICE_PASSWORD).at(APP + "/api").through(trusting(keyStore));
            awaitAnswer(running, () -> alice.get("/task-types").status() == 200);

            // the certificate the operator brought, opened with the password decrypted from standalone.xml
            HttpResponse<String> login = trusting(keyStore).send(HttpRequest.newBuilder(URI.create(APP + "/login.xhtml"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(200);
            HttpCookie session = HttpCookie.parse(login.headers().firstValue("Set-Cookie").orElseThrow()).get(0);
            assertThat(session.getName()).isEqualTo("JSESSIONID");
            assertThat(session.getSecure()).as("Secure").isTrue();
            assertThat(session.isHttpOnly()).as("HttpOnly").isTrue();
            assertThat(login.headers().firstValue("Strict-Transport-Security")).contains("max-age=31536000");

            // no plain HTTP port at all
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create(PLAIN_HTTP)).build(),
                    HttpResponse.BodyHandlers.discarding())).isInstanceOf(ConnectException.class);

            // no demo users
            for (String demo : List.of("clerk", "supervisor", "admin")) {
                assertThat(Api.as(demo).at(APP + "/api").through(trusting(keyStore)).get("/task-types").status())
                        .as(demo).isEqualTo(401);
            }

            // work runs on PostgreSQL, through the datasource whose password came from the store
            String location = alice.post("/task-types/ledger.validate/tasks", "text/csv", LEDGER_CSV).location();
            JsonObject task = alice.awaitEnd(location, Duration.ofMinutes(1));
            assertThat(task.getString("status")).as("%s; the server's warnings:%n%s", task, server.warnings()).isEqualTo("SUCCEEDED");
            assertThat(task.getString("owner")).isEqualTo("alice");

            // the prod profile: no demo books, though the ledger got ready (a check of a file runs its preparation)
            JsonObject ready = Health.check(ServerProcess.MANAGEMENT_URL, "ready", "taskbridge-engine");
            assertThat(ready.getJsonObject("data").getString("profile")).isEqualTo("prod");
            String check = alice.post("/task-types/ledger.post/tasks?checkOnly=true", "text/csv", LEDGER_CSV).location();
            assertThat(alice.awaitEnd(check, Duration.ofMinutes(1)).getString("status")).isEqualTo("SUCCEEDED");
            assertThat(rows("ledger_account")).as("no demo chart of accounts").isZero();
            assertThat(rows("ledger_period")).as("no demo fiscal periods").isZero();

            // a plugin's own tables are where the engine's are, so that its writes commit with the chunks' markers
            String statement = alice.post("/task-types/bank.import/tasks", "text/csv",
                    "bookingDate,amount,currency,counterparty,reference\r\n2026-12-01,131.50,EUR,Customer 3,Invoice INV-1003\r\n").location();
            JsonObject imported = alice.awaitEnd(statement, Duration.ofMinutes(1));
            assertThat(imported.getString("status")).as("%s; the server's warnings:%n%s", imported, server.warnings()).isEqualTo("SUCCEEDED");
            assertThat(rows("bank_payment")).as("in PostgreSQL, beside the markers").isEqualTo(1);
            assertThat(rows("bank_invoice")).as("no demo invoices").isZero();

            // the secrets are nowhere in clear: not in the configuration, not on the command line
            String standaloneXml = Files.readString(CONFIGURATION.resolve("standalone.xml"));
            assertThat(standaloneXml).doesNotContain(TLS_PASSWORD).doesNotContain(PG_PASSWORD)
                    .contains("${ENC::taskbridge:");
            String commandLine = running.handle().info().commandLine().orElseThrow();
            assertThat(commandLine).contains("-Dtaskbridge.pg.database=taskbridge_test")
                    .doesNotContain("pg-\"secret").doesNotContain("tls \"pass").doesNotContain("pg.password");
            assertThat(Files.readAllLines(BASE_DIR.resolve("log/server.log")))
                    .anyMatch(line -> line.contains("Profile prod: no user logs in with a default password"))
                    .noneMatch(line -> line.contains(PG_PASSWORD) || line.contains(TLS_PASSWORD));
        }
    }

    private static void dropTheBooks() throws Exception {
        try (Connection connection = DriverManager.getConnection(PG_URL, "taskbridge", "taskbridge");
             Statement drop = connection.createStatement()) {
            drop.execute("DROP TABLE IF EXISTS ledger_line, ledger_entry, ledger_period, ledger_account, bank_payment, bank_invoice CASCADE");
        }
    }

    private static int rows(String table) throws Exception {
        try (Connection connection = DriverManager.getConnection(PG_URL, "taskbridge", "taskbridge");
             Statement query = connection.createStatement();
             ResultSet count = query.executeQuery("SELECT COUNT(*) FROM " + table)) {
            count.next();
            return count.getInt(1);
        }
    }

    @Test
    void refusesToStartWhileAUserLogsInWithADefaultPasswordAndMakesItsOwnCertificate() throws Exception {
        ServerProcess server = ServerProcess.prepare(HOME, BASE_DIR, EAR, List.of(
                "-Dtaskbridge.datasource=java:jboss/datasources/TaskbridgePostgresDS",
                "-Dtaskbridge.pg.database=taskbridge_test"));
        secret("pg-password", PG_PASSWORD);
        Files.deleteIfExists(BASE_DIR.resolve("log/server.log")); // the secret's embedded server wrote there: start anew
        // as if the demo server's files had been copied over: clerk's password is clerk
        Files.writeString(CONFIGURATION.resolve("application-users.properties"),
                "clerk=" + md5Hex("clerk:ApplicationRealm:clerk") + "\n", StandardOpenOption.APPEND);
        Files.writeString(CONFIGURATION.resolve("application-roles.properties"), "clerk=clerk\n", StandardOpenOption.APPEND);

        try (ServerProcess running = server.launch()) {
            Path log = BASE_DIR.resolve("log/server.log");
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    Files.exists(log) && Files.readString(log).matches("(?s).*WFLYSRV002[56].*"));
            String lines = Files.readString(log);
            assertThat(lines).contains("Taskbridge does not start in the prod profile while these users log in"
                    + " with a default password").contains(": clerk.");

            // the server itself runs, over the certificate it made on the first connection, without Taskbridge
            HttpClient any = HttpClient.newBuilder().sslContext(trustingAnything()).connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> api = any.send(HttpRequest.newBuilder(URI.create(APP + "/api/task-types"))
                    .header("Authorization", "Basic Y2xlcms6Y2xlcms=").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).as("no application at /taskbridge").isEqualTo(404);
            X509Certificate certificate = (X509Certificate) api.sslSession().orElseThrow().getPeerCertificates()[0];
            assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
            assertThat(CONFIGURATION.resolve("taskbridge-tls.p12")).exists();
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(ServerProcess.MANAGEMENT_URL + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
        }
    }

    /**
     * The demo's embedded H2 keeps no production server's tasks: the engine refuses to start on it,
     * says what to set in the log and in every answer, and readiness is DOWN.
     */
    @Test
    void refusesToStartWithItsTasksInTheEmbeddedH2() throws Exception {
        ServerProcess server = ServerProcess.prepare(HOME, BASE_DIR, EAR, List.of()); // the default datasource: H2
        run(List.of(HOME.resolve("bin/add-user.sh").toString(), "-a", "-u", "alice", "-p", ALICE_PASSWORD,
                "-g", "clerk", "-sc", CONFIGURATION.toString()), null);

        try (ServerProcess running = server.launch()) {
            Path log = BASE_DIR.resolve("log/server.log");
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    Files.exists(log) && Files.readString(log).matches("(?s).*WFLYSRV002[56].*"));
            String refusal = "Taskbridge does not start in the prod profile with its tasks in the embedded H2 database "
                    + "(java:jboss/datasources/TaskbridgeDS): set taskbridge.datasource to the PostgreSQL datasource";
            assertThat(Files.readString(log)).contains(refusal);
            HttpClient any = HttpClient.newBuilder().sslContext(trustingAnything()).connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> api = any.send(HttpRequest.newBuilder(URI.create(APP + "/api/task-types"))
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                            ("alice:" + ALICE_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).as(api.body()).isEqualTo(503);
            assertThat(api.body()).contains(refusal);
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(ServerProcess.MANAGEMENT_URL + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
        }
    }

    /**
     * A stage server is the production server started with {@code -Dmp.config.profile=stage}: the
     * command line wins over the profile in standalone.xml, and stage runs on the embedded H2,
     * with a warning, where prod refuses to.
     */
    @Test
    void theProductionServerStartedAsStageRunsOnTheEmbeddedH2WithAWarning() throws Exception {
        ServerProcess server = ServerProcess.prepare(HOME, BASE_DIR, EAR, List.of("-Dmp.config.profile=stage"));
        run(List.of(HOME.resolve("bin/add-user.sh").toString(), "-a", "-u", "alice", "-p", ALICE_PASSWORD,
                "-g", "clerk", "-sc", CONFIGURATION.toString()), null);

        try (ServerProcess running = server.launch()) {
            HttpClient any = HttpClient.newBuilder().sslContext(trustingAnything()).connectTimeout(Duration.ofSeconds(10)).build();
            Api alice = Api.as("alice", ALICE_PASSWORD).at(APP + "/api").through(any);
            awaitAnswer(running, () -> alice.get("/task-types").status() == 200);

            assertThat(Health.check(ServerProcess.MANAGEMENT_URL, "ready", "taskbridge-engine").getJsonObject("data")
                    .getString("profile")).isEqualTo("stage");
            String location = alice.post("/task-types/ledger.validate/tasks", "text/csv", LEDGER_CSV).location();
            assertThat(alice.awaitEnd(location, Duration.ofMinutes(1)).getString("status")).isEqualTo("SUCCEEDED");
            assertThat(Files.readString(BASE_DIR.resolve("log/server.log")))
                    .contains("Taskbridge runs in the stage profile with its tasks in the embedded H2 database "
                            + "(java:jboss/datasources/TaskbridgeDS), which prod refuses");
        }
    }

    private static void awaitAnswer(ServerProcess server, java.util.concurrent.Callable<Boolean> answers) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(answers);
    }

    /** A self-signed key pair, as an operator's own certificate would be, for the addresses the test uses. */
    private static void keytool(Path keyStore) throws Exception {
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", TLS_PASSWORD, "-keypass", TLS_PASSWORD), null);
    }

    /** bin/taskbridge-secret.sh, given the secret on standard input as a script would. */
    private static void secret(String name, String value) throws Exception {
        String output = run(List.of(HOME.resolve("bin/taskbridge-secret.sh").toString(), name,
                "-Djboss.server.base.dir=" + BASE_DIR), value + "\n");
        assertThat(output).contains(name + " stored in standalone.xml, encrypted.");
    }

    private static String run(List<String> command, String input) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var stdin = process.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        String output;
        try (InputStream out = process.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command.get(0), output).isZero();
        return output;
    }

    /** A client that trusts exactly the certificate in the operator's key store, and checks the host name. */
    private static HttpClient trusting(Path keyStore) throws Exception {
        KeyStore operators = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            operators.load(in, TLS_PASSWORD.toCharArray());
        }
        Certificate certificate = operators.getCertificate("server");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** For the certificate the server makes for itself, which nothing could know beforehand. */
    private static SSLContext trustingAnything() throws Exception {
        // an extended trust manager: JSSE would wrap a plain one and still check the host name
        TrustManager anything = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[]{anything}, null);
        return tls;
    }

    private static String md5Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
