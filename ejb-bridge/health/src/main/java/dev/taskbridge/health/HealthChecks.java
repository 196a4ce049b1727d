package dev.taskbridge.health;

import dev.taskbridge.gateway.BuildView;
import dev.taskbridge.gateway.EngineUnavailableException;
import dev.taskbridge.gateway.HealthReport;
import dev.taskbridge.gateway.TaskGateway;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The engine's MicroProfile Health checks, served by WildFly on the management interface
 * ({@code /health/ready}, {@code /health/live}) beside the server's own. They ask the task
 * gateway, as the web tier does.
 */
public final class HealthChecks {

    public static final String READINESS = "taskbridge-engine";
    public static final String LIVENESS = "taskbridge-actor-system";

    private HealthChecks() {
    }

    /**
     * UP when the engine runs, its actor system is alive, the task database answers and at least
     * one task type is loaded. DOWN while the engine starts, is suspended with the server or drains on undeploy, and while the
     * database is unreachable (tasks wait, then resume).
     */
    @Readiness
    @ApplicationScoped
    public static class EngineReadiness implements HealthCheck {

        @EJB
        private TaskGateway gateway;

        @Override
        public HealthCheckResponse call() {
            HealthReport health = gateway.health();
            HealthCheckResponseBuilder response = HealthCheckResponse.named(READINESS).status(health.ready())
                    .withData("engine", health.engine())
                    .withData("actorSystem", health.actorSystemAlive() ? "alive" : "not running")
                    .withData("database", health.databaseProblem() == null ? "reachable" : health.databaseProblem())
                    .withData("taskTypes", health.taskTypes())
                    .withData("pluginProblems", health.pluginProblems().size())
                    .withData("taskTypesWithoutLiveSlot", health.typesWithoutLiveSlot().isEmpty() ? "none"
                            : String.join(", ", health.typesWithoutLiveSlot()))
                    .withData("taskTypesPaused", health.pausedTypes().isEmpty() ? "none" : String.join(", ", health.pausedTypes()))
                    .withData("schedulesPaused", health.pausedSchedules().isEmpty() ? "none" : String.join(", ", health.pausedSchedules()))
                    .withData("clusterMembers", health.clusterMembers());
            if (health.clusterProblem() != null) {
                response.withData("cluster", health.clusterProblem());
            }
            if (!health.typesWithoutNode().isEmpty()) {
                response.withData("taskTypesWithoutNode", String.join(", ", health.typesWithoutNode()));
            }
            for (int i = 0; i < health.pluginProblems().size(); i++) {
                response.withData("pluginProblem." + (i + 1), health.pluginProblems().get(i));
            }
            withBuild(response);
            return response.build();
        }

        /** Which Taskbridge and which plugins answer: a probe's output tells nodes and deploys apart. */
        private void withBuild(HealthCheckResponseBuilder response) {
            BuildView build;
            try {
                build = gateway.build();
            } catch (EngineUnavailableException notKnownYet) {
                return; // the deployment has not read its settings yet
            }
            response.withData("version", build.version()).withData("commit", build.commit()).withData("node", build.node())
                    .withData("profile", build.profile());
            build.plugins().forEach(plugin -> response.withData("plugin." + plugin.taskType(),
                    plugin.jar() + " " + plugin.jarVersion() + " sha256:" + plugin.checksum()));
        }
    }

    /**
     * DOWN only when a running engine's actor system has died by itself, which nothing but a
     * restart repairs. A database outage is no reason to restart.
     */
    @Liveness
    @ApplicationScoped
    public static class ActorSystemLiveness implements HealthCheck {

        @EJB
        private TaskGateway gateway;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named(LIVENESS).status(!gateway.isBroken()).build();
        }
    }
}
