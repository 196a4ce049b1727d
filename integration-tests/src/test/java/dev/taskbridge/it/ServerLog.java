package dev.taskbridge.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The log of the server Arquillian runs, read from a mark on: a server directory kept between
 * local runs keeps its log, and a test is about the lines its own requests caused.
 */
final class ServerLog {

    static final Path FILE = Path.of(System.getProperty("jboss.home"), "standalone", "log", "server.log");

    private ServerLog() {
    }

    /** Where the log ends now. */
    static int mark() throws IOException {
        return Files.exists(FILE) ? Files.readAllLines(FILE).size() : 0;
    }

    /** The lines written since {@code mark}, after a moment for the file handler to catch up. */
    static List<String> since(int mark) throws IOException, InterruptedException {
        Thread.sleep(1_000);
        List<String> lines = Files.readAllLines(FILE);
        return lines.subList(Math.min(mark, lines.size()), lines.size());
    }
}
