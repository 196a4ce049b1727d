package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The limits of live event streams on a real server: streams per user (429 beyond them) and the
 * heartbeat that keeps finding clients that went away.
 */
@ExtendWith(ArquillianExtension.class)
class EventStreamsIT {

    /** {@code taskbridge.events.max-streams-per-user}'s default. */
    private static final int MAX_STREAMS_PER_USER = 8;

    /** Where the server's log ended before these tests. */
    private static int logMark;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.ear();
    }

    @BeforeAll
    static void markTheLog() throws Exception {
        logMark = ServerLog.mark();
    }

    /**
     * Clients went away with streams open in these tests, as browsers do all day: the server lets
     * them go without an ERROR line (Undertow's UT005088 for the close, filtered by
     * configure-logging.cli), so an operator's ERRORs stay worth reading.
     */
    @AfterAll
    static void clientsThatWentAwayLeftNoErrorInTheLog() throws Exception {
        assertThat(ServerLog.since(logMark)).filteredOn(line -> line.contains("UT005088")).isEmpty();
    }

    @Test
    void aUserWithEightStreamsOpenIsAnswered429WithAMessageUntilOneIsClosedAndOtherUsersAreNot() throws IOException {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_STREAMS_PER_USER; i++) {
                Socket stream = openStream("clerk2");
                open.add(stream);
                assertThat(statusLine(stream)).as("stream %d", i + 1).contains(" 200 ");
            }

            Http.Reply refused = Http.rawGet("127.0.0.1", "/taskbridge/api/events",
                    Map.of("Accept", "text/event-stream", "Authorization", Http.basic("clerk2", "clerk2")));
            assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
            assertThat(refused.body()).contains("8 event streams open");

            Socket other = openStream("clerk");
            open.add(other);
            assertThat(statusLine(other)).contains(" 200 ");

            // a tab closed: its stream is found out as the user asks for another, not a heartbeat later
            open.remove(0).close();
            Socket again = openStream("clerk2");
            open.add(again);
            assertThat(statusLine(again)).contains(" 200 ");
        } finally {
            for (Socket stream : open) {
                stream.close();
            }
        }
    }

    @Test
    void anIdleStreamGetsAHeartbeatCommentWithinTwentySeconds() throws IOException {
        try (Socket stream = openStream("admin")) {
            assertThat(statusLine(stream)).contains(" 200 ");
            stream.setSoTimeout(20_000);
            InputStream in = stream.getInputStream();
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            while (!seen.toString(StandardCharsets.UTF_8).contains("heartbeat")) {
                int next = in.read();
                assertThat(next).as("the stream ended: %s", seen).isNotNegative();
                seen.write(next);
            }
        }
    }

    /** A stream of every change the user may see, over a socket of its own that the caller reads or not. */
    private static Socket openStream(String user) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", 8080), 10_000);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /taskbridge/api/events HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: text/event-stream\r\n"
                + "Authorization: " + Http.basic(user, user) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return socket;
    }

    /** Reads the response's head, and answers its first line. */
    private static String statusLine(Socket socket) throws IOException {
        return Http.readHead(socket.getInputStream()).lines().findFirst().orElseThrow();
    }
}
