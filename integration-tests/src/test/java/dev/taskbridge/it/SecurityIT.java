package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import jakarta.json.JsonNumber;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a hostile spelling of a path can do: nothing. Each test counts the tasks of its victim
 * before and after, in the database, through the API.
 */
@ExtendWith(ArquillianExtension.class)
class SecurityIT {

    private static final String ROWS = "chunks=1,rows=1,sleepMillis=0";

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.earWithTestPlugins();
    }

    /**
     * The session never authorises an API write, however the path to the API is spelled. The
     * container routes {@code /api;x/...}, {@code /%61pi/...} and {@code /x/../api/...} to the API
     * as it routes {@code /api/...}; such a write must meet the same 401. (When the check read the
     * raw URI, these got RESTEasy's 404: it found no resource for them, but only after the session
     * had been let through for a write.)
     */
    @Test
    void theSessionCannotWriteToTheApiThroughAnotherSpellingOfItsPath() {
        Http session = Http.session("clerk2");
        Http plain = Http.client();
        long before = taskCount("clerk2");
        List<String> spellings = List.of("/taskbridge/api/", "/taskbridge/api;x/", "/taskbridge/%61pi/",
                "/taskbridge/%61%70%69/", "/taskbridge/api;jsessionid=x/", "/taskbridge/./api/", "/taskbridge/x/../api/",
                "/taskbridge//api/", "/taskbridge;x/api/", "/%74askbridge/api/", "/x/../taskbridge/api/");
        List<String> answers = new ArrayList<>();
        for (String spelling : spellings) {
            Http.Reply reply = plain.send("POST", Http.SERVER + spelling + "tasks/" + RowWritingTaskType.ID,
                    Map.of("Content-Type", "text/plain", "Cookie", session.sessionCookie()), ROWS);
            answers.add(spelling + " -> " + reply.status());
        }
        assertThat(answers).as("a write with the session only").allSatisfy(answer -> assertThat(answer).endsWith(" -> 401"));
        assertThat(taskCount("clerk2")).isEqualTo(before);
        assertThat(session.send("GET", Http.APP + "/api/tasks/counts", Map.of(), null).status())
                .as("the session still reads").isEqualTo(200);
    }

    private static long taskCount(String user) {
        return Api.as(user).get("/tasks/counts").object().values().stream()
                .mapToLong(value -> ((JsonNumber) value).longValue()).sum();
    }
}
