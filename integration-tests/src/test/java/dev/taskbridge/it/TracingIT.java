package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Traces, switched on as an operator would (README, "Traces"), exported over OTLP (HTTP,
 * protobuf) to a receiver in this test: a task submitted inside a caller's trace is one trace
 * from the caller's span through the server's request span, the submission, the wait for a slot,
 * each chunk and the end; and {@code GET /api/tasks/{id}} names the trace.
 */
class TracingIT {

    private static final HexFormat HEX = HexFormat.of();
    private static final String CSV = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n"
            + "D1,2026-11-02,1000,CC1,100.00,0,EUR,cash\r\n"
            + "D1,2026-11-02,2000,CC1,0,100.00,EUR,payable\r\n";

    /** Every span the server exported, in the order received. */
    private static final ConcurrentLinkedQueue<ExportedSpan> EXPORTED = new ConcurrentLinkedQueue<>();
    private static HttpServer receiver;
    private static ServerProcess server;

    @BeforeAll
    static void startReceiverAndServer() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                byte[] bytes = body.readAllBytes();
                boolean gzip = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
                EXPORTED.addAll(ExportedSpan.read(gzip ? new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes() : bytes));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();

        Path base = CrashIT.TARGET.resolve("tracing");
        server = ServerProcess.prepare(base, Path.of(System.getProperty("taskbridge.ear", "target/taskbridge.ear")), List.of(
                "-Dtaskbridge.db.dir=" + base.resolve("db"),
                "-Dotel.sdk.disabled=false",
                "-Dotel.exporter.otlp.protocol=http/protobuf",
                "-Dotel.exporter.otlp.endpoint=http://127.0.0.1:" + receiver.getAddress().getPort(),
                "-Dotel.bsp.schedule.delay=200",
                "-Dotel.metrics.exporter=none",
                "-Dotel.logs.exporter=none")).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void aTaskIsOneTraceFromItsCallerThroughTheRequestEachChunkAndItsEnd() throws Exception {
        SecureRandom random = new SecureRandom();
        String traceId = HEX.formatHex(random.generateSeed(16));
        String callerSpan = HEX.formatHex(random.generateSeed(8));
        HttpResponse<String> accepted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(ServerProcess.BASE_URL + "/task-types/ledger.validate/tasks"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("clerk:clerk".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "text/csv")
                .header("traceparent", "00-" + traceId + "-" + callerSpan + "-01")
                .POST(HttpRequest.BodyPublishers.ofString(CSV)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();

        Api clerk = Api.as("clerk").at(ServerProcess.BASE_URL);
        JsonObject task = clerk.awaitEnd(location, Duration.ofSeconds(60));
        assertThat(task.getString("status")).as("%s; the server's warnings:%n%s", task, server.warnings()).isEqualTo("SUCCEEDED");
        assertThat(task.getString("traceId")).as("the task names its trace").isEqualTo(traceId);

        await().atMost(Duration.ofSeconds(30)).until(() -> spansOf(traceId).stream().anyMatch(span -> span.name().equals("taskbridge.end")));
        List<ExportedSpan> trace = spansOf(traceId);
        ExportedSpan request = trace.stream().filter(span -> span.parentSpanId().equals(callerSpan)).findFirst()
                .orElseThrow(() -> new AssertionError("no span of the server's under the caller's: " + trace));
        assertThat(request.name()).contains("POST");
        ExportedSpan submit = only(trace, "taskbridge.submit");
        assertThat(submit.parentSpanId()).as("the submission under the request").isEqualTo(request.spanId());
        for (String step : List.of("taskbridge.queued", "taskbridge.end")) {
            assertThat(only(trace, step).parentSpanId()).as("%s under the submission", step).isEqualTo(submit.spanId());
        }
        assertThat(trace).filteredOn(span -> span.name().equals("taskbridge.chunk")).isNotEmpty()
                .allSatisfy(chunk -> assertThat(chunk.parentSpanId()).isEqualTo(submit.spanId()));
    }

    private static List<ExportedSpan> spansOf(String traceId) {
        return EXPORTED.stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    private static ExportedSpan only(List<ExportedSpan> trace, String name) {
        List<ExportedSpan> named = trace.stream().filter(span -> span.name().equals(name)).toList();
        assertThat(named).as("spans named %s in %s", name, trace).hasSize(1);
        return named.get(0);
    }

    /**
     * A span as OTLP carries it, read from its protobuf encoding ({@code TracesData}: resource
     * spans, scope spans, spans) with no library: only the ids and the name are read.
     */
    record ExportedSpan(String traceId, String spanId, String parentSpanId, String name) {

        static List<ExportedSpan> read(byte[] tracesData) throws IOException {
            List<ExportedSpan> spans = new ArrayList<>();
            for (byte[] resourceSpans : Protobuf.messages(tracesData, 1)) {
                for (byte[] scopeSpans : Protobuf.messages(resourceSpans, 2)) {
                    for (byte[] span : Protobuf.messages(scopeSpans, 2)) {
                        spans.add(new ExportedSpan(HEX.formatHex(Protobuf.field(span, 1)), HEX.formatHex(Protobuf.field(span, 2)),
                                HEX.formatHex(Protobuf.field(span, 4)), new String(Protobuf.field(span, 5), StandardCharsets.UTF_8)));
                    }
                }
            }
            return spans;
        }
    }

    /** The protobuf wire format, as far as reading length-delimited fields goes. */
    private static final class Protobuf {

        /** Every length-delimited field {@code number} of {@code message}. */
        static List<byte[]> messages(byte[] message, int number) throws IOException {
            List<byte[]> found = new ArrayList<>();
            int at = 0;
            while (at < message.length) {
                long[] key = varint(message, at);
                at = (int) key[1];
                int field = (int) (key[0] >>> 3);
                int wireType = (int) (key[0] & 7);
                switch (wireType) {
                    case 0 -> at = (int) varint(message, at)[1];
                    case 1 -> at += 8;
                    case 5 -> at += 4;
                    case 2 -> {
                        long[] length = varint(message, at);
                        int start = (int) length[1];
                        int end = start + (int) length[0];
                        if (field == number) {
                            found.add(java.util.Arrays.copyOfRange(message, start, end));
                        }
                        at = end;
                    }
                    default -> throw new IOException("wire type " + wireType + " at " + at);
                }
            }
            return found;
        }

        /** A length-delimited field's bytes; empty when the message lacks it (a root span has no parent). */
        static byte[] field(byte[] message, int number) throws IOException {
            List<byte[]> found = messages(message, number);
            return found.isEmpty() ? new byte[0] : found.get(0);
        }

        /** The varint at {@code at}: its value, and where the next field starts. */
        private static long[] varint(byte[] bytes, int at) {
            long value = 0;
            int shift = 0;
            while (true) {
                byte b = bytes[at++];
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return new long[] {value, at};
                }
                shift += 7;
            }
        }
    }
}
