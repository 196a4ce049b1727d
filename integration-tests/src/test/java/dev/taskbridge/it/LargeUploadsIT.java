package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Large uploads take turns: the server handles a bounded number of bytes of large bodies at once
 * (a thirty-second of its heap; 32 MiB on this 1 GiB test server), so 32 clerks uploading 20 MiB files
 * at the same moment cannot fill its heap. One that finds no room in time is told to come back.
 */
@ExtendWith(ArquillianExtension.class)
class LargeUploadsIT {

    private static final long TWENTY_MIB = 20L * 1024 * 1024;
    /** Where the server's log ended before these tests. */
    private static int logMark;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.ear();
    }

    @Test
    void anUploadThatFindsNoRoomIsAnswered503WithRetryAfterUnreadAndGetsInOnceTheRoomIsFree() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        byte[] fifteenMib = new byte[15 * 1024 * 1024];
        Arrays.fill(fifteenMib, (byte) 'x');
        List<Socket> stalled = new ArrayList<>();
        try {
            // Five clients declare 20 MiB each and send almost nothing: the room they got is held while
            // the server waits for their bodies (the first takes 20 MiB of 32; the others wait for room, in
            // order, and the upload below waits behind them even where it would fit in what is left).
            for (int i = 0; i < 5; i++) {
                Socket socket = new Socket("127.0.0.1", 8080);
                declareTwentyMib(socket);
                stalled.add(socket);
            }
            Thread.sleep(1_000);

            long started = System.nanoTime();
            HttpResponse<String> turnedAway = client.send(upload(fifteenMib), HttpResponse.BodyHandlers.ofString());

            assertThat(turnedAway.statusCode()).as(turnedAway.body()).isEqualTo(503);
            assertThat(turnedAway.headers().firstValue("Retry-After")).hasValue("10");
            assertThat(turnedAway.body()).contains("\"status\":503").contains("busy reading other large uploads");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("it waited its turn a while first")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(9));

            HttpResponse<String> small = client.send(HttpRequest.newBuilder(URI.create(Api.BASE + "/task-types"))
                    .header("Authorization", Http.basic("clerk", "clerk")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(small.statusCode()).as("everyday requests do not wait for uploads").isEqualTo(200);
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }

        HttpResponse<String> later = client.send(upload(fifteenMib), HttpResponse.BodyHandlers.ofString());
        assertThat(later.statusCode()).as("once the room is free: " + later.body()).isIn(202, 400);
    }

    @Test
    void aClientThatStopsSendingItsBodyIsLetGoAfterTheReadTimeoutAndItsRoomComesBack() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        byte[] fifteenMib = new byte[15 * 1024 * 1024];
        Arrays.fill(fifteenMib, (byte) 'x');
        try (Socket stalled = new Socket("127.0.0.1", 8080)) {
            // 20 MiB declared, a few bytes sent, then nothing: it holds 20 MiB of the 32 while it is read
            declareTwentyMib(stalled);
            stalled.setSoTimeout(60_000);
            long started = System.nanoTime();
            int read = stalled.getInputStream().read(new byte[4096]);
            Duration held = Duration.ofNanos(System.nanoTime() - started);
            assertThat(held).as("let go after the read timeout (30 s), not before, not never (read %d)", read)
                    .isBetween(Duration.ofSeconds(25), Duration.ofSeconds(50));
        }

        long started = System.nanoTime();
        HttpResponse<String> next = client.send(upload(fifteenMib), HttpResponse.BodyHandlers.ofString());
        assertThat(next.statusCode()).as(next.body()).isIn(202, 400);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the room came back: no wait for it")
                .isLessThan(Duration.ofSeconds(9));
    }

    @Test
    void aClientThatTricklesItsBodyLosesItsRoomAfterTheHoldLimitAndIsToldSo() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        byte[] fifteenMib = new byte[15 * 1024 * 1024];
        Arrays.fill(fifteenMib, (byte) 'x');
        try (Socket trickling = new Socket("127.0.0.1", 8080)) {
            // 20 MiB declared, then a byte every 4 s: each well within the read timeout (30 s)
            OutputStream out = declareTwentyMib(trickling);
            long started = System.nanoTime();
            // this test server's hold limit is 20 s (arquillian.xml); a byte at 4, 8, 12 and 16 s, then
            // none until the upload below has asked for room, at 22 s
            for (int i = 0; i < 4; i++) {
                Thread.sleep(4_000);
                out.write('x');
                out.flush();
            }
            Thread.sleep(Math.max(0, Duration.ofSeconds(22).toMillis() - Duration.ofNanos(System.nanoTime() - started).toMillis()));

            long asked = System.nanoTime();
            HttpResponse<String> next = client.send(upload(fifteenMib), HttpResponse.BodyHandlers.ofString());
            assertThat(next.statusCode()).as(next.body()).isIn(202, 400);
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("the trickler's room was taken back: no wait")
                    .isLessThan(Duration.ofSeconds(9));

            // its next byte finds its read failing
            out.write('x');
            out.flush();
            trickling.setSoTimeout(30_000);
            StringBuilder answer = new StringBuilder();
            byte[] buffer = new byte[4096];
            for (int read; !answer.toString().contains("did not arrive")
                    && (read = trickling.getInputStream().read(buffer)) > 0; ) {
                answer.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
            }
            assertThat(answer.toString()).startsWith("HTTP/1.1 400").contains("did not arrive within 20 seconds");
        }
    }

    @BeforeAll
    static void markTheLog() throws Exception {
        logMark = ServerLog.mark();
    }

    /** Clients that went away or stopped sending failed, not the server: no ERROR line says otherwise. */
    @AfterAll
    static void clientsThatStoppedSendingLeftNoErrorInTheLog() throws Exception {
        assertThat(ServerLog.since(logMark))
                .as("UT000128: the peer closed the connection before its body was read")
                .noneMatch(line -> line.contains("UT000128") && (line.contains(" ERROR ") || line.contains(" DEBUG ")));
    }

    /** Starts a clerk's submission of a 20 MiB body on {@code socket} and sends its first bytes only. */
    private static OutputStream declareTwentyMib(Socket socket) throws java.io.IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /taskbridge/api/task-types/ledger.validate/tasks HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                + "Authorization: " + Http.basic("clerk", "clerk") + "\r\nContent-Type: text/csv\r\n"
                + "Content-Length: " + TWENTY_MIB + "\r\n\r\naccount,").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return out;
    }

    private static HttpRequest upload(byte[] body) {
        return HttpRequest.newBuilder(URI.create(Api.BASE + "/task-types/ledger.validate/tasks"))
                .header("Authorization", Http.basic("clerk", "clerk"))
                .header("Content-Type", "text/csv")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }
}
