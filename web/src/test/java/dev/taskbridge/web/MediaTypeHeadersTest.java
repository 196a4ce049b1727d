package dev.taskbridge.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MediaTypeHeadersTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "APPLICATION/JSON; charset=utf-8            | application/json; charset=utf-8",
            "Multipart/Form-Data; boundary=AbC          | multipart/form-data; boundary=AbC",
            "text/html, Image/GIF, *; q=.2, */*; q=.2   | text/html, image/gif, *; q=.2, */*; q=.2",
            "TEXT/CSV                                   | text/csv",
    })
    void typesAreLowerCaseAndParametersKept(String header, String expected) {
        assertThat(MediaTypeHeaders.lowerCaseTypes(header)).isEqualTo(expected);
    }
}
