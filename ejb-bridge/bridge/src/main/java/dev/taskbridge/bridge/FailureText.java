package dev.taskbridge.bridge;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a task's failure says to whoever may see the task: plain words and the log reference. The
 * engine keeps the exception's class and message (the log line, the stored stack trace, whose
 * first line they are); a clerk reads neither a plugin's, an exception's nor the server's class
 * names, which say nothing to them and a lot to someone probing the server. Supervisors and
 * admins read why in the stack trace.
 */
final class FailureText {

    /** How the engine writes a failure's reference into history and events: "... (log reference TB-7KQ2M9XD)". */
    private static final Pattern REFERENCE = Pattern.compile("\\(log reference (TB-[A-Z0-9]+)\\)");

    private FailureText() {
    }

    /** The failure of a task as anyone who may see the task reads it. */
    static String message(String reference) {
        return reference == null ? "The task failed on the server; an operator can see why in the server's log."
                : "The task failed on the server; an operator finds why under log reference " + reference + ".";
    }

    /** A failure's detail in the task's history or live events, from the engine's: the reference, not the exception. */
    static String detail(String engineDetail) {
        // the last one: the engine appends its reference after the message, which may quote anything
        Matcher reference = REFERENCE.matcher(engineDetail == null ? "" : engineDetail);
        String last = null;
        while (reference.find()) {
            last = reference.group(1);
        }
        return message(last);
    }
}
