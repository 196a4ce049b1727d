package dev.taskbridge.web;

import java.util.List;

import dev.taskbridge.gateway.FieldError;

/**
 * The body of every error response.
 *
 * @param status      the HTTP status code
 * @param error       the status' reason phrase
 * @param message     what went wrong, for people
 * @param fieldErrors one entry per refused field; empty unless the request was invalid
 * @param reference   for server errors only: the id under which the failure was logged
 */
public record ApiError(int status, String error, String message, List<FieldError> fieldErrors, String reference) {
}
