package dev.taskbridge.ledger;

import java.util.Locale;

import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;

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

    /** Decodes strictly, without a byte order mark ({@link Payload#utf8Text}). */
    static String utf8(byte[] body) throws InvalidPayloadException {
        return new Payload("application/octet-stream", body).utf8Text();
    }
}
