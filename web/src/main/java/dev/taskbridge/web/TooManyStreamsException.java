package dev.taskbridge.web;

/** A user asked for another event stream while holding as many open as one user may. */
public class TooManyStreamsException extends RuntimeException {

    public TooManyStreamsException(int limit) {
        super("you have " + limit + " event streams open, as many as one user may; close one (e.g. a browser tab) and try again");
    }
}
