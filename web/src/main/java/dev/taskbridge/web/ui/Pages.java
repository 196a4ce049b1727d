package dev.taskbridge.web.ui;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import dev.taskbridge.gateway.FieldError;
import dev.taskbridge.gateway.InvalidSubmissionException;
import dev.taskbridge.gateway.TaskbridgeException;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;

/** What the pages share: messages from the gateway's answers, and how times are shown. */
final class Pages {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private Pages() {
    }

    static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    static void info(String text) {
        message(FacesMessage.SEVERITY_INFO, text);
    }

    static void error(String text) {
        message(FacesMessage.SEVERITY_ERROR, text);
    }

    /**
     * The gateway's refusal as messages: every field and reason of an invalid submission, else
     * the refusal's own words (a task in the wrong state, an engine that is not running).
     */
    static void refused(TaskbridgeException refusal) {
        if (refusal instanceof InvalidSubmissionException invalid) {
            for (FieldError error : invalid.errors()) {
                error(error.field() + ": " + error.reason());
            }
        } else {
            error(refusal.getMessage());
        }
    }

    private static void message(FacesMessage.Severity severity, String text) {
        // Faces escapes message text when it renders it, like any other output
        FacesContext.getCurrentInstance().addMessage(null, new FacesMessage(severity, text, null));
    }
}
