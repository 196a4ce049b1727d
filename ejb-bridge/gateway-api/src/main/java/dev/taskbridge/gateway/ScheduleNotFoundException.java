package dev.taskbridge.gateway;

/** No schedule has this id. */
public class ScheduleNotFoundException extends TaskbridgeException {

    public ScheduleNotFoundException(String id) {
        super("no schedule " + id);
    }
}
