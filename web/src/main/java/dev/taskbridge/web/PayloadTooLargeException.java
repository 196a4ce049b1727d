package dev.taskbridge.web;

/** A request body was longer than the API accepts; it was not read to its end. */
public class PayloadTooLargeException extends RuntimeException {

    public PayloadTooLargeException(long limit) {
        super("the request body is larger than " + limit + " bytes");
    }
}
