package dev.taskbridge.web;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/**
 * The one JSON-B instance that writes and reads the API's bodies and its events.
 *
 * <p>Without a resolver, RESTEasy builds a new {@link Jsonb} for every body it writes: a service
 * look-up, a CDI look-up, and Yasson's model of every class it meets built again, since that model
 * is cached per instance. Profiled under {@code bench/rest-load.sh}, that was a third of the CPU
 * of a submission's request thread. A {@link Jsonb} is thread-safe and meant to be shared.
 * Configured as RESTEasy's own default is (none), so every body reads and writes as before.
 */
@Provider
@ApplicationScoped
public class SharedJsonb implements ContextResolver<Jsonb> {

    private final Jsonb jsonb = JsonbBuilder.create();

    @Override
    public Jsonb getContext(Class<?> type) {
        return jsonb;
    }

    /** Releases what Yasson holds of the deployment (its CDI look-ups) when the application stops. */
    @PreDestroy
    void close() {
        try {
            jsonb.close();
        } catch (Exception e) {
            // nothing is left to write with it; the deployment is going away
        }
    }
}
