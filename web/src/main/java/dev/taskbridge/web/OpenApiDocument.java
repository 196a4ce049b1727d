package dev.taskbridge.web;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Completes the served OpenAPI document ({@code mp.openapi.filter}).
 *
 * <p>Each operation gets the errors it can answer, as references to the responses
 * {@link TaskbridgeApi} declares: the table below says which, beside {@link ApiExceptionMapper},
 * which decides them. (Declared on the methods instead, they would take the place of the success
 * response the annotations' scanner derives from each method's return type.)
 */
public class OpenApiDocument implements OASFilter {

    /** By operationId: the error responses of each operation, besides 401, which every one has. */
    static final Map<String, List<String>> ERRORS = Map.ofEntries(
            Map.entry("submitTask", List.of(TaskbridgeApi.BAD_REQUEST, TaskbridgeApi.FORBIDDEN, TaskbridgeApi.NOT_FOUND,
                    TaskbridgeApi.TOO_LARGE, TaskbridgeApi.KEY_REUSED, TaskbridgeApi.UNAVAILABLE)),
            Map.entry("getTask", List.of(TaskbridgeApi.NOT_FOUND)),
            Map.entry("getTaskHistory", List.of(TaskbridgeApi.NOT_FOUND)),
            Map.entry("followTask", List.of(TaskbridgeApi.NOT_FOUND, TaskbridgeApi.TOO_MANY_STREAMS)),
            Map.entry("exportTaskResult", List.of(TaskbridgeApi.NOT_FOUND, TaskbridgeApi.CONFLICT)),
            Map.entry("listTaskErrors", List.of(TaskbridgeApi.BAD_REQUEST, TaskbridgeApi.NOT_FOUND, TaskbridgeApi.CONFLICT)),
            Map.entry("cancelTask", List.of(TaskbridgeApi.FORBIDDEN, TaskbridgeApi.NOT_FOUND, TaskbridgeApi.CONFLICT)),
            Map.entry("retryTask", List.of(TaskbridgeApi.FORBIDDEN, TaskbridgeApi.NOT_FOUND, TaskbridgeApi.CONFLICT,
                    TaskbridgeApi.UNAVAILABLE)),
            Map.entry("listTasks", List.of(TaskbridgeApi.BAD_REQUEST)),
            Map.entry("countTasks", List.of()),
            Map.entry("listTaskTypes", List.of()),
            Map.entry("followTasks", List.of(TaskbridgeApi.TOO_MANY_STREAMS)),
            Map.entry("getEngineFacts", List.of(TaskbridgeApi.FORBIDDEN)),
            Map.entry("getMetrics", List.of(TaskbridgeApi.FORBIDDEN)));

    /** The status of each error response, as TaskbridgeApi declares it. */
    private static final Map<String, String> STATUS = Map.of(TaskbridgeApi.BAD_REQUEST, "400",
            TaskbridgeApi.UNAUTHORIZED, "401", TaskbridgeApi.FORBIDDEN, "403", TaskbridgeApi.NOT_FOUND, "404",
            TaskbridgeApi.CONFLICT, "409", TaskbridgeApi.TOO_LARGE, "413", TaskbridgeApi.KEY_REUSED, "422",
            TaskbridgeApi.TOO_MANY_STREAMS, "429", TaskbridgeApi.UNAVAILABLE, "503");

    @Override
    public Operation filterOperation(Operation operation) {
        // every operation has a row (OpenApiDocumentTest); one without would be published with 401 alone
        List<String> errors = operation.getOperationId() == null ? List.of()
                : ERRORS.getOrDefault(operation.getOperationId(), List.of());
        APIResponses responses = operation.getResponses() == null ? OASFactory.createAPIResponses() : operation.getResponses();
        addError(responses, TaskbridgeApi.UNAUTHORIZED);
        errors.forEach(error -> addError(responses, error));
        operation.setResponses(responses);
        return operation;
    }

    private static void addError(APIResponses responses, String name) {
        responses.addAPIResponse(STATUS.get(name), OASFactory.createAPIResponse().ref(name));
    }
}
