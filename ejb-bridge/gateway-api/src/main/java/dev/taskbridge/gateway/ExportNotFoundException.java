package dev.taskbridge.gateway;

/** The task's type offers no file by that name. */
public class ExportNotFoundException extends TaskbridgeException {

    public ExportNotFoundException(String type, String name) {
        super("task type " + type + " offers no file '" + name + "'");
    }
}
