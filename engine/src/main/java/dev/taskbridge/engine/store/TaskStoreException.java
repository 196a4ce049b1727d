package dev.taskbridge.engine.store;

import java.sql.SQLException;

/** The task store's database failed; the cause says how. */
public class TaskStoreException extends RuntimeException {

    public TaskStoreException(String message, SQLException cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
