package dev.taskbridge.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.junit.jupiter.api.Test;

/** The OpenAPI document's table of errors covers every operation of the API. */
class OpenApiDocumentTest {

    private static final List<Class<?>> RESOURCES = List.of(TasksResource.class, TaskTypesResource.class,
            EventsResource.class, AdminResource.class, MetricsResource.class);

    @Test
    void everyOperationHasAnIdASummaryAndItsErrorsListed() {
        List<String> ids = new ArrayList<>();
        for (Class<?> resource : RESOURCES) {
            for (Method method : resource.getDeclaredMethods()) {
                if (method.isAnnotationPresent(GET.class) || method.isAnnotationPresent(POST.class)) {
                    Operation operation = method.getAnnotation(Operation.class);
                    assertThat(operation).as("@Operation on %s.%s", resource.getSimpleName(), method.getName()).isNotNull();
                    assertThat(operation.summary()).as("summary of %s", operation.operationId()).isNotBlank();
                    ids.add(operation.operationId());
                }
            }
        }
        assertThat(OpenApiDocument.ERRORS.keySet()).as("operations with their errors listed")
                .containsExactlyInAnyOrderElementsOf(ids.stream().distinct().toList());
    }
}
