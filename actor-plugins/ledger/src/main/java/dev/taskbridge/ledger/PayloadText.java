package dev.taskbridge.ledger;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import dev.taskbridge.plugin.InvalidPayloadException;

/** What the JSON and the CSV reader both need from a payload's bytes and media type. */
final class PayloadText {

    static final String BODY = "body";
    static final String CONTENT_TYPE = "Content-Type";

    private PayloadText() {
    }

    /** The media type without parameters, in lower case: {@code Text/CSV; charset=UTF-8} is {@code text/csv}. */
    static String baseType(String mediaType) {
        int parameters = mediaType.indexOf(';');
        String type = parameters < 0 ? mediaType : mediaType.substring(0, parameters);
        return type.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * Decodes strictly: a replacement character would silently change amounts or codes. A leading
     * byte order mark is dropped, as spreadsheet exports write one.
     */
    static String utf8(byte[] body) throws InvalidPayloadException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(body.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new InvalidPayloadException(BODY, "is not valid UTF-8 (bad byte at offset " + in.position() + ")");
        }
        out.flip();
        if (out.hasRemaining() && out.get(out.position()) == '\uFEFF') {
            out.get();
        }
        return out.toString();
    }
}
