package dev.taskbridge.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.junit.jupiter.api.Test;

/** The OpenAPI document's table of errors covers every operation of the API. */
class OpenApiDocumentTest {

    /** Every class of the API's package with a {@code @Path}: the resources, found, not listed by hand. */
    private static List<Class<?>> resources() throws Exception {
        Path classes = Path.of(TaskbridgeApi.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(TaskbridgeApi.class.getPackageName().replace('.', '/'));
        List<Class<?>> resources = new ArrayList<>();
        try (Stream<Path> files = Files.list(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = file.getFileName().toString();
                Class<?> type = Class.forName(TaskbridgeApi.class.getPackageName() + "." + name.substring(0, name.length() - 6),
                        false, TaskbridgeApi.class.getClassLoader());
                if (type.isAnnotationPresent(jakarta.ws.rs.Path.class)) {
                    resources.add(type);
                }
            }
        }
        return resources;
    }

    @Test
    void everyOperationHasAnIdASummaryAndItsErrorsListed() throws Exception {
        List<Class<?>> resources = resources();
        assertThat(resources).contains(TasksResource.class, MetricsResource.class);
        List<String> ids = new ArrayList<>();
        for (Class<?> resource : resources) {
            for (Method method : resource.getDeclaredMethods()) {
                if (method.isAnnotationPresent(GET.class) || method.isAnnotationPresent(POST.class)
                        || method.isAnnotationPresent(jakarta.ws.rs.PUT.class) || method.isAnnotationPresent(jakarta.ws.rs.DELETE.class)) {
                    Operation operation = method.getAnnotation(Operation.class);
                    assertThat(operation).as("@Operation on %s.%s", resource.getSimpleName(), method.getName()).isNotNull();
                    if (operation.hidden()) {
                        continue; // described by another method (submitUpload by submit), or left out (the former submit path)
                    }
                    assertThat(operation.summary()).as("summary of %s", operation.operationId()).isNotBlank();
                    ids.add(operation.operationId());
                }
            }
        }
        assertThat(OpenApiDocument.ERRORS.keySet()).as("operations with their errors listed")
                .containsExactlyInAnyOrderElementsOf(ids);
    }

    /** Each error an operation names is a response TaskbridgeApi declares, with its status. */
    @Test
    void everyErrorNamedHasTheStatusItIsDeclaredWith() {
        assertThat(OpenApiDocument.STATUS).containsEntry(TaskbridgeApi.BAD_REQUEST, "400")
                .containsEntry(TaskbridgeApi.KEY_REUSED, "422").containsEntry(TaskbridgeApi.UNAVAILABLE, "503");
        OpenApiDocument.ERRORS.values().forEach(errors -> assertThat(OpenApiDocument.STATUS.keySet()).containsAll(errors));
    }
}
