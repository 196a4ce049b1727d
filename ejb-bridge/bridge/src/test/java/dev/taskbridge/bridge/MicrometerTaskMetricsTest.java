package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What Prometheus reads: help text on every family, histograms with buckets for the timers. */
class MicrometerTaskMetricsTest {

    @Test
    void everyFamilyHasHelpTextAndTheTimersAreHistogramsWithBuckets() {
        try (MicrometerTaskMetrics metrics = new MicrometerTaskMetrics()) {
            metrics.submitted("ledger.validate", Duration.ofMillis(3));
            metrics.chunk("ledger.validate", Duration.ofMillis(40));
            metrics.succeeded("ledger.validate", Duration.ofSeconds(2));
            metrics.purged(7);

            List<String> lines = metrics.scrape().lines().toList();

            List<String> families = lines.stream().filter(line -> line.startsWith("# TYPE ")).map(line -> line.split(" ")[2])
                    .toList();
            assertThat(families).contains("taskbridge_tasks_submitted_total", "taskbridge_submit_duration_seconds",
                    "taskbridge_task_duration_seconds", "taskbridge_chunk_duration_seconds",
                    "taskbridge_journal_write_seconds", "taskbridge_slot_message_seconds", "taskbridge_tasks_purged_total");
            for (String family : families) {
                assertThat(lines).as("help of " + family).anyMatch(line -> line.matches("# HELP " + family + " \\S.*"));
            }
            assertThat(lines).contains("# TYPE taskbridge_submit_duration_seconds histogram")
                    .contains("taskbridge_submit_duration_seconds_bucket{type=\"ledger.validate\",le=\"0.005\"} 1")
                    .contains("taskbridge_submit_duration_seconds_bucket{type=\"ledger.validate\",le=\"0.002\"} 0")
                    .contains("taskbridge_chunk_duration_seconds_bucket{type=\"ledger.validate\",le=\"+Inf\"} 1")
                    .contains("taskbridge_tasks_purged_total 7.0");
        }
    }
}
