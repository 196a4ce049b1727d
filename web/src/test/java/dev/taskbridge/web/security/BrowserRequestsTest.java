package dev.taskbridge.web.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BrowserRequestsTest {

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            // Sec-Fetch-Site, Origin, Host
            "-,           -,                       127.0.0.1:8080", // curl, scripts
            "same-origin, http://127.0.0.1:8080,   127.0.0.1:8080",
            "none,        -,                       127.0.0.1:8080", // typed into the address bar
            "-,           http://127.0.0.1:8080,   127.0.0.1:8080", // a browser without Sec-Fetch-*
            "-,           http://erp.example,      erp.example:80",
            "same-origin, HTTP://ERP.example:80,   erp.example"})
    void requestsOfThisOriginOrOfNoBrowserAreNotFromAnotherSite(String site, String origin, String host) {
        assertThat(BrowserRequests.fromAnotherSite(site, origin, "http", host)).isNull();
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "cross-site,  http://evil.example,     127.0.0.1:8080",
            "same-site,   http://127.0.0.1:9999,   127.0.0.1:8080", // another port of this host
            "cross-site,  null,                    127.0.0.1:8080", // a data: or sandboxed page
            "-,           http://evil.example,     127.0.0.1:8080",
            "-,           https://127.0.0.1:8080,  127.0.0.1:8080", // another scheme
            "cross-site,  -,                       127.0.0.1:8080",
            "-,           http://127.0.0.1:8080,   -"})
    void requestsOfPagesOfAnotherOriginAreFromAnotherSite(String site, String origin, String host) {
        assertThat(BrowserRequests.fromAnotherSite(site, origin, "http", host)).isNotNull();
    }
}
