package dev.taskbridge.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A task's result as a file, ready to be written into a response: made as it is written, so that
 * a large file is never in memory. Whatever could refuse it was found out when it was made.
 *
 * @param content writes the file; once, on the thread that answers the request
 */
public record ExportFile(String name, String mediaType, Content content) {

    public ExportFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(content, "content");
    }

    /** Writes the file. */
    @FunctionalInterface
    public interface Content {

        /** Writes the file to {@code out}, flushes it and leaves it open. */
        void writeTo(OutputStream out) throws IOException;
    }

    @Override
    public String toString() {
        return "ExportFile[" + name + ", " + mediaType + "]";
    }
}
