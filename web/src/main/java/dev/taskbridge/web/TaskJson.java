package dev.taskbridge.web;

import java.io.StringReader;
import java.time.Instant;

import dev.taskbridge.gateway.Progress;
import dev.taskbridge.gateway.TaskView;
import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;

/**
 * A task as the REST API shows it: the plugin's result embedded as JSON rather than as a string,
 * and the stack trace only for those allowed to see it; {@code traceId} where its life was traced
 * (README, "Traces"); {@code runAt} where it was submitted to run later; its {@code priority}
 * (0 unless it was submitted with another); its {@code orderKey}, if it has one (design note 032);
 * {@code rollbackOf}, for a rollback, the task it rolls
 * back (design note 030).
 */
public record TaskJson(
        String id,
        String type,
        int typeVersion,
        String owner,
        String status,
        ProgressJson progress,
        int attempts,
        Instant submittedAt,
        Instant startedAt,
        Instant endedAt,
        JsonValue result,
        ErrorJson error,
        boolean stalled,
        String traceId,
        Instant runAt,
        int priority,
        String orderKey,
        String rollbackOf) {

    public record ProgressJson(int chunksDone, int chunksTotal, long itemsDone, long itemsFailed, int percent) {

        static ProgressJson of(Progress progress) {
            return new ProgressJson(progress.chunksDone(), progress.chunksTotal(), progress.itemsDone(),
                    progress.itemsFailed(), (int) Math.floor(progress.fraction() * 100));
        }
    }

    /**
     * @param stackTrace null unless the caller may see it
     * @param reference  finds the failure's line in the server log
     */
    public record ErrorJson(String message, String stackTrace, String reference) {
    }

    static TaskJson of(TaskView task, boolean withStackTrace) {
        ErrorJson error = task.error() == null ? null
                : new ErrorJson(task.error().message(), withStackTrace ? task.error().stackTrace() : null,
                        task.error().reference());
        return new TaskJson(task.id(), task.type(), task.typeVersion(), task.owner(), task.status().name(),
                ProgressJson.of(task.progress()), task.attempts(), task.submittedAt(), task.startedAt(),
                task.endedAt(), json(task.result()), error, task.stalled(), task.traceId(), task.runAt(),
                task.priority(), task.orderKey(), task.rollbackOf());
    }

    private static JsonValue json(String text) {
        if (text == null) {
            return null;
        }
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readValue();
        } catch (JsonParsingException e) {
            // A plugin returned something that is not JSON: show it as the text it is.
            return Json.createValue(text);
        }
    }
}
