package dev.taskbridge.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

import dev.taskbridge.gateway.InvalidSubmissionException;
import jakarta.ws.rs.core.EntityPart;
import jakarta.ws.rs.core.MediaType;

/**
 * What the REST API and the upload page both do with what a client sends: read it within the
 * size limit, and tell its media type.
 */
public final class Uploads {

    /** Largest payload accepted; larger ones get a 413 (a message on the page) without being read to the end. */
    public static final int MAX_PAYLOAD_BYTES = 20 * 1024 * 1024;

    /** Longest value of a form field that is an option. */
    static final int MAX_FIELD_BYTES = 1_000;

    /**
     * Content types that say nothing about a file's format: what browsers send for a file they
     * do not know (Windows sends a spreadsheet's type for any {@code .csv}).
     */
    private static final Set<String> UNINFORMATIVE = Set.of(MediaType.APPLICATION_OCTET_STREAM, "application/vnd.ms-excel",
            "text/plain", "application/x-download");

    private Uploads() {
    }

    /** A file as uploaded. */
    public record File(String mediaType, byte[] content) {
    }

    /** The media type without parameters, in lower case: {@code Text/CSV; charset=UTF-8} is {@code text/csv}. */
    public static String baseType(String contentType) {
        return contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    }

    /**
     * The payload's media type: the declared one, unless it says nothing and the file name's
     * extension does ({@code .csv}, {@code .json}).
     */
    public static String mediaType(String declared, String fileName) {
        String type = declared == null || declared.isBlank() ? MediaType.APPLICATION_OCTET_STREAM : baseType(declared);
        if (UNINFORMATIVE.contains(type) && fileName != null) {
            String name = fileName.toLowerCase(Locale.ROOT);
            if (name.endsWith(".csv")) {
                return "text/csv";
            }
            if (name.endsWith(".json")) {
                return MediaType.APPLICATION_JSON;
            }
        }
        return type;
    }

    /**
     * @throws PayloadTooLargeException beyond {@link #MAX_PAYLOAD_BYTES}, without reading the rest
     * @throws InvalidSubmissionException when the body cannot be read to its end: its client went
     *                                    away or stopped sending (the read timeout). The client's
     *                                    failure, answered 400, not a failure of the server to log.
     */
    public static byte[] readLimited(InputStream body) throws IOException {
        byte[] bytes;
        try {
            bytes = body.readNBytes(MAX_PAYLOAD_BYTES + 1);
        } catch (BodyOverdueException overdue) {
            throw new InvalidSubmissionException("body", "did not arrive within " + overdue.limit().toSeconds()
                    + " seconds: send it over a faster connection, or a smaller file");
        } catch (IOException cutOff) {
            throw new InvalidSubmissionException("body", "could not be read to its end: the client stopped sending it");
        }
        if (bytes.length > MAX_PAYLOAD_BYTES) {
            throw new PayloadTooLargeException(MAX_PAYLOAD_BYTES);
        }
        return bytes;
    }

    static File file(EntityPart part) throws IOException {
        String declared = part.getMediaType() == null ? null : part.getMediaType().toString();
        try (InputStream content = part.getContent()) {
            return new File(mediaType(declared, part.getFileName().orElse(null)), readLimited(content));
        }
    }

    static String field(EntityPart part) throws IOException {
        try (InputStream content = part.getContent()) {
            byte[] bytes = content.readNBytes(MAX_FIELD_BYTES + 1);
            if (bytes.length > MAX_FIELD_BYTES) {
                throw new InvalidSubmissionException(part.getName(), "must be at most " + MAX_FIELD_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
