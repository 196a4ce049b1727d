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

    @Test
    void aBodyWhoseClientStopsSendingOrGoesAwayIsTheClientsFailureNotTheServers() {
        java.io.InputStream cutOff = new java.io.InputStream() {
            @Override
            public int read() throws java.io.IOException {
                throw new java.io.IOException("UT000128: Remote peer closed connection before all data could be read");
            }
        };

        assertThatThrownBy(() -> Uploads.readLimited(cutOff))
                .isInstanceOfSatisfying(dev.taskbridge.gateway.InvalidSubmissionException.class, refused ->
                        assertThat(refused.errors()).singleElement().satisfies(error -> {
                            assertThat(error.field()).isEqualTo("body");
                            assertThat(error.reason()).contains("could not be read to its end");
                        }));
    }

    @Test
    void aBodyThatTookLongerThanItsHoldLimitIsRefusedSayingSo() {
        java.io.InputStream trickling = new java.io.InputStream() {
            @Override
            public int read() throws java.io.IOException {
                throw new BodyOverdueException(java.time.Duration.ofMinutes(2));
            }
        };

        assertThatThrownBy(() -> Uploads.readLimited(trickling))
                .isInstanceOfSatisfying(dev.taskbridge.gateway.InvalidSubmissionException.class, refused ->
                        assertThat(refused.errors()).singleElement().satisfies(error -> {
                            assertThat(error.field()).isEqualTo("body");
                            assertThat(error.reason()).startsWith("did not arrive within 120 seconds");
                        }));
    }
}
