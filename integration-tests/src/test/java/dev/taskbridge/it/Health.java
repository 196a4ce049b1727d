package dev.taskbridge.it;

import jakarta.json.JsonObject;

/** The server's MicroProfile Health endpoints, on the management interface (no login needed). */
final class Health {

    static final String SERVER = "http://127.0.0.1:9990";

    private Health() {
    }

    /**
     * One named check of {@code /health/ready} or {@code /health/live}.
     *
     * @param management e.g. {@link #SERVER}
     * @param endpoint   {@code ready} or {@code live}
     */
    static JsonObject check(String management, String endpoint, String name) {
        Api.Reply reply = Api.anonymous().get(management + "/health/" + endpoint);
        return reply.object().getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                .filter(check -> check.getString("name").equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + reply));
    }
}
