package dev.taskbridge.gateway;

/** No plugin provides the requested task type. */
public class UnknownTaskTypeException extends TaskbridgeException {

    private final String type;

    public UnknownTaskTypeException(String type) {
        super("unknown task type '" + type + "'");
        this.type = type;
    }

    public String type() {
        return type;
    }
}
