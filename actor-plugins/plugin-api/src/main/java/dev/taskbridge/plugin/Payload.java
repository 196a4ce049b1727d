package dev.taskbridge.plugin;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A submitted payload as the client sent it: its media type, its bytes, and the submission's
 * options.
 *
 * <p>Options are named values sent beside the body (over REST, the query parameters of the
 * submit call, or the form fields of a multipart upload), laid over the operator's defaults for
 * the task type. They are stored with the task, so every run of it, after any restart, sees the
 * same ones: a plugin may use them for anything that must not change while a task runs, such as
 * how it splits the work into chunks. A plugin refuses the options it does not know in
 * {@link TaskType#parse}, like any other bad input.
 *
 * @param mediaType the content type without parameters, e.g. {@code application/json}
 * @param body      the raw bytes; never modified by the engine
 * @param options   option names to values, sorted by name; empty when there are none
 */
public record Payload(String mediaType, byte[] body, Map<String, String> options) {

    public static final String JSON = "application/json";

    public Payload {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(body, "body");
        options = Collections.unmodifiableMap(new TreeMap<>(options));
    }

    /** A payload without options. */
    public Payload(String mediaType, byte[] body) {
        this(mediaType, body, Map.of());
    }

    /** A JSON payload from text. */
    public static Payload json(String text) {
        return new Payload(JSON, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The same body with other options. */
    public Payload withOptions(Map<String, String> newOptions) {
        return new Payload(mediaType, body, newOptions);
    }

    /** One option's value, if the submission has it. */
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** The body decoded as UTF-8. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * The body decoded as UTF-8 strictly, for a plugin that reads it as text: a byte that is not
     * UTF-8 refuses the payload ({@code body}) rather than becoming a replacement character that
     * would silently change an amount or a code; a leading byte order mark, which spreadsheet
     * exports write, is dropped.
     */
    public String utf8Text() throws InvalidPayloadException {
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(body);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(body.length);
        java.nio.charset.CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new InvalidPayloadException("body", "is not valid UTF-8 (bad byte at offset " + in.position() + ")");
        }
        out.flip();
        if (out.hasRemaining() && out.get(out.position()) == '\uFEFF') {
            out.get();
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Payload that
                && mediaType.equals(that.mediaType)
                && Arrays.equals(body, that.body)
                && options.equals(that.options);
    }

    @Override
    public int hashCode() {
        return (31 * mediaType.hashCode() + Arrays.hashCode(body)) * 31 + options.hashCode();
    }

    @Override
    public String toString() {
        return "Payload[" + mediaType + ", " + body.length + " bytes" + (options.isEmpty() ? "" : ", options " + options) + "]";
    }
}
