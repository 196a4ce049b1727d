package dev.taskbridge.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UploadsTest {

    @ParameterizedTest
    @CsvSource({
            "text/csv,                  ledger.csv,  text/csv",
            "Text/CSV; charset=UTF-8,   ledger.csv,  text/csv",
            "application/vnd.ms-excel,  ledger.csv,  text/csv",      // what Windows sends for any .csv
            "application/octet-stream,  lines.JSON,  application/json",
            ",                          ledger.csv,  text/csv",
            "image/png,                 ledger.csv,  image/png",     // a type that says something is believed
            "application/octet-stream,  picture.png, application/octet-stream",
    })
    void aVagueContentTypeIsReadFromTheFileName(String declared, String fileName, String expected) {
        assertThat(Uploads.mediaType(declared, fileName)).isEqualTo(expected);
    }

    @Test
    void aBodyOverTheLimitIsRefusedWithoutReadingItAll() throws Exception {
        assertThat(Uploads.readLimited(new ByteArrayInputStream(new byte[Uploads.MAX_PAYLOAD_BYTES]))).hasSize(Uploads.MAX_PAYLOAD_BYTES);
        assertThatThrownBy(() -> Uploads.readLimited(new ByteArrayInputStream(new byte[Uploads.MAX_PAYLOAD_BYTES + 1])))
                .isInstanceOf(PayloadTooLargeException.class)
                .hasMessage("the request body is larger than " + Uploads.MAX_PAYLOAD_BYTES + " bytes");
    }
}
