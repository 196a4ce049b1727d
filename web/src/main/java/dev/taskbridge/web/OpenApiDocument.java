package dev.taskbridge.web;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Completes the served OpenAPI document ({@code mp.openapi.filter}).
 *
 * <p>Each operation gets the errors it can answer, as references to the responses
 * {@link TaskbridgeApi} declares: those every operation can answer, and those its row below lists.
 * They are decided by {@link ApiExceptionMapper}, {@code RequestSizeLimit}, {@code CrossSiteWrites},
 * the authentication and web.xml's roles. (Declared on the methods instead, they would take the
 * place of the success response the annotations' scanner derives from each method's return type.)
 */
public class OpenApiDocument implements OASFilter {

    /**
     * What any operation can answer, whatever it does: no user or a wrong password (401), roles that
     * do not allow it or a cross-site write (403), too many wrong passwords (429), the engine or its
     * database away (503).
     */
    private static final List<String> EVERY_OPERATION = List.of(TaskbridgeApi.UNAUTHORIZED, TaskbridgeApi.FORBIDDEN,
            TaskbridgeApi.TOO_MANY_REQUESTS, TaskbridgeApi.UNAVAILABLE);

    /** By operationId: the errors of each operation besides those of every operation. */
    static final Map<String, List<String>> ERRORS = Map.ofEntries(
            Map.entry("submitTask", List.of(TaskbridgeApi.BAD_REQUEST, TaskbridgeApi.NOT_FOUND, TaskbridgeApi.CONFLICT,
                    TaskbridgeApi.TOO_LARGE, TaskbridgeApi.KEY_REUSED)),
            Map.entry("getTask", List.of(TaskbridgeApi.NOT_FOUND)),
            Map.entry("getTaskHistory", List.of(TaskbridgeApi.NOT_FOUND)),
            Map.entry("followTask", List.of(TaskbridgeApi.NOT_FOUND)),
            Map.entry("exportTaskResult", List.of(TaskbridgeApi.NOT_FOUND, TaskbridgeApi.CONFLICT)),
            Map.entry("listTaskErrors", List.of(TaskbridgeApi.BAD_REQUEST, TaskbridgeApi.NOT_FOUND, TaskbridgeApi.CONFLICT)),
            Map.entry("cancelTask", List.of(TaskbridgeApi.NOT_FOUND, TaskbridgeApi.CONFLICT)),
            Map.entry("retryTask", List.of(TaskbridgeApi.NOT_FOUND, TaskbridgeApi.CONFLICT)),
            Map.entry("rollBackTask", List.of(TaskbridgeApi.NOT_FOUND, TaskbridgeApi.CONFLICT)),
            Map.entry("listTasks", List.of(TaskbridgeApi.BAD_REQUEST)),
            Map.entry("countTasks", List.of()),
            Map.entry("listTaskTypes", List.of()),
            Map.entry("pauseTaskType", List.of(TaskbridgeApi.NOT_FOUND)),
            Map.entry("resumeTaskType", List.of(TaskbridgeApi.NOT_FOUND)),
            Map.entry("listSchedules", List.of()),
            Map.entry("getSchedule", List.of(TaskbridgeApi.NOT_FOUND)),
            Map.entry("createSchedule", List.of(TaskbridgeApi.BAD_REQUEST, TaskbridgeApi.CONFLICT)),
            Map.entry("changeSchedule", List.of(TaskbridgeApi.BAD_REQUEST, TaskbridgeApi.NOT_FOUND, TaskbridgeApi.CONFLICT)),
            Map.entry("pauseSchedule", List.of(TaskbridgeApi.NOT_FOUND)),
            Map.entry("resumeSchedule", List.of(TaskbridgeApi.NOT_FOUND)),
            Map.entry("deleteSchedule", List.of(TaskbridgeApi.NOT_FOUND)),
            Map.entry("followTasks", List.of()),
            Map.entry("getEngineFacts", List.of()),
            Map.entry("listUnfinishedTasks", List.of()),
            Map.entry("getMetrics", List.of()));

    /** The status of each error response: read from the responseCode TaskbridgeApi declares it with. */
    static final Map<String, String> STATUS = Stream.of(
                    TaskbridgeApi.class.getAnnotation(OpenAPIDefinition.class).components().responses())
            .collect(Collectors.toUnmodifiableMap(APIResponse::name, APIResponse::responseCode));

    @Override
    public Operation filterOperation(Operation operation) {
        // every operation has a row (OpenApiDocumentTest); one without would get only the errors of every operation
        List<String> errors = operation.getOperationId() == null ? List.of()
                : ERRORS.getOrDefault(operation.getOperationId(), List.of());
        APIResponses responses = operation.getResponses() == null ? OASFactory.createAPIResponses() : operation.getResponses();
        EVERY_OPERATION.forEach(error -> addError(responses, error));
        errors.forEach(error -> addError(responses, error));
        operation.setResponses(responses);
        return operation;
    }

    private static void addError(APIResponses responses, String name) {
        responses.addAPIResponse(STATUS.get(name), OASFactory.createAPIResponse().ref(name));
    }
}
