package dev.taskbridge.engine.store;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.taskbridge.plugin.Payload;

/**
 * A stored schedule.
 *
 * @param owner       who created it: the tasks it submits are theirs
 * @param anchorAt    when the interval counts from: the schedule's creation, or the last change of its rule
 * @param nextFireAt  the first firing not made yet; null when the rule has none left
 * @param pausedAt    when an operator paused it; null while it fires
 * @param typeVersion the version of its task type its payload was written for, so that a later
 *                    version's migrations carry each firing over (note 028); null for a schedule
 *                    written before versions were kept, taken as the plugin's
 */
public record Schedule(String id, String name, String taskType, String owner, Payload payload, String cron, String timeZone,
                       Duration interval, Instant anchorAt, MissedFirings missedFirings, Instant nextFireAt,
                       String pausedBy, Instant pausedAt, Instant createdAt, String changedBy, Instant changedAt,
                       Integer typeVersion) {

    /** In a text payload or an option's value: the firing's time, e.g. {@code 2026-12-07T07:00:00Z}. */
    public static final String FIRING_TIME = "${firingTime}";
    /** In a text payload or an option's value: the firing's date in the schedule's zone (UTC for intervals), e.g. {@code 2026-12-07}. */
    public static final String FIRING_DATE = "${firingDate}";

    public boolean paused() {
        return pausedAt != null;
    }

    /** The idempotency key of the task that the firing at {@code fireAt} submits: one task per firing. */
    public String keyOf(Instant fireAt) {
        return "schedule:" + id + ":" + fireAt;
    }

    /** The payload of the firing at {@code fireAt}: its placeholders replaced in a text payload and in the options. */
    public Payload payloadAt(Instant fireAt) {
        String time = fireAt.toString();
        String date = LocalDate.ofInstant(fireAt, cron != null ? ZoneId.of(timeZone) : ZoneOffset.UTC).toString();
        Map<String, String> options = new LinkedHashMap<>();
        payload.options().forEach((name, value) -> options.put(name, fill(value, time, date)));
        byte[] body = payload.body();
        if (isText(payload.mediaType())) {
            body = fill(new String(body, java.nio.charset.StandardCharsets.UTF_8), time, date)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return new Payload(payload.mediaType(), body, options);
    }

    private static String fill(String text, String time, String date) {
        return text.replace(FIRING_TIME, time).replace(FIRING_DATE, date);
    }

    private static boolean isText(String mediaType) {
        String type = mediaType.toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/xml") || type.endsWith("+xml");
    }
}
