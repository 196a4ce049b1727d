package dev.taskbridge.ledger;

import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;

/** Reads a ledger file in whichever of its two formats it came. */
final class LedgerFiles {

    static final String CSV = "text/csv";

    private LedgerFiles() {
    }

    static LedgerFile read(Payload payload) throws InvalidPayloadException {
        String type = PayloadText.baseType(payload.mediaType());
        if (type.equals(Payload.JSON)) {
            return LedgerJsonReader.read(payload);
        }
        if (type.equals(CSV)) {
            return LedgerCsvReader.read(payload);
        }
        // a body of another type would only produce noise as JSON or CSV problems
        throw new InvalidPayloadException(PayloadText.CONTENT_TYPE, "must be " + Payload.JSON + " or " + CSV);
    }
}
