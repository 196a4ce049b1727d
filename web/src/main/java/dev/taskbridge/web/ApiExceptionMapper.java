package dev.taskbridge.web;

import java.util.List;
import java.util.UUID;

import dev.taskbridge.gateway.EngineUnavailableException;
import dev.taskbridge.gateway.ExportNotFoundException;
import dev.taskbridge.gateway.FieldError;
import dev.taskbridge.gateway.IdempotencyConflictException;
import dev.taskbridge.gateway.InvalidSubmissionException;
import dev.taskbridge.gateway.TaskConflictException;
import dev.taskbridge.gateway.ScheduleNotFoundException;
import dev.taskbridge.gateway.TaskNotFoundException;
import dev.taskbridge.gateway.UnknownTaskTypeException;
import jakarta.ejb.EJBAccessException;
import jakarta.ejb.EJBException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP responses: unknown things are 404, refused input is
 * 400 with every field and reason, one event stream too many is 429, an engine that is not running, or a task type that is busy, is 503 with {@code Retry-After}. Anything unexpected is
 * a 500 whose body carries only a reference to the logged stack trace, never the trace itself.
 */
@Provider
public class ApiExceptionMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionMapper.class);
    private static final int UNPROCESSABLE = 422;

    @Override
    public Response toResponse(Throwable thrown) {
        Throwable failure = unwrap(thrown);
        if (failure instanceof InvalidSubmissionException invalid) {
            return error(Response.Status.BAD_REQUEST, "the request was refused", invalid.errors());
        }
        if (failure instanceof UnknownTaskTypeException || failure instanceof TaskNotFoundException
                || failure instanceof ScheduleNotFoundException
                || failure instanceof ExportNotFoundException) {
            return error(Response.Status.NOT_FOUND, failure.getMessage(), List.of());
        }
        if (failure instanceof IdempotencyConflictException) {
            // 422: the request is well formed, but its key promises a request that was another one
            return Response.status(UNPROCESSABLE)
                    .entity(new ApiError(UNPROCESSABLE, "Unprocessable Content", "the request was refused",
                            List.of(new FieldError("Idempotency-Key", failure.getMessage())), null))
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .build();
        }
        if (failure instanceof TaskConflictException) {
            return error(Response.Status.CONFLICT, failure.getMessage(), List.of());
        }
        if (failure instanceof PayloadTooLargeException) {
            return error(Response.Status.REQUEST_ENTITY_TOO_LARGE, failure.getMessage(), List.of());
        }
        if (failure instanceof TooManyStreamsException) {
            return error(Response.Status.TOO_MANY_REQUESTS, failure.getMessage(), List.of());
        }
        if (failure instanceof EngineUnavailableException unavailable) {
            return Response.fromResponse(error(Response.Status.SERVICE_UNAVAILABLE, failure.getMessage(), List.of()))
                    .header("Retry-After", String.valueOf(unavailable.retryAfterSeconds())).build();
        }
        if (failure instanceof CrossSiteWriteException) {
            return error(Response.Status.FORBIDDEN, failure.getMessage(), List.of());
        }
        if (failure instanceof EJBAccessException) {
            return error(Response.Status.FORBIDDEN, "you may not do this", List.of());
        }
        if (failure instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
            Response.StatusType status = web.getResponse().getStatusInfo();
            return Response.fromResponse(web.getResponse())
                    .entity(new ApiError(status.getStatusCode(), status.getReasonPhrase(), failure.getMessage(), List.of(), null))
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .build();
        }
        String reference = UUID.randomUUID().toString();
        LOG.error("Request failed, reference {}", reference, failure);
        return Response.serverError()
                .entity(new ApiError(500, "Internal Server Error", "the server failed; quote reference " + reference,
                        List.of(), reference))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build();
    }

    private static Response error(Response.Status status, String message, List<FieldError> fieldErrors) {
        return Response.status(status)
                .entity(new ApiError(status.getStatusCode(), status.getReasonPhrase(), message, fieldErrors, null))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build();
    }

    /** EJB calls may wrap what the gateway threw. */
    private static Throwable unwrap(Throwable thrown) {
        Throwable failure = thrown;
        while (failure instanceof EJBException && !(failure instanceof EJBAccessException) && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }
}
