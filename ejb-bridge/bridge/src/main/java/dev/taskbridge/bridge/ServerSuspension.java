package dev.taskbridge.bridge;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jboss.as.server.CurrentServiceContainer;
import org.jboss.as.server.suspend.ServerResumeContext;
import org.jboss.as.server.suspend.ServerSuspendContext;
import org.jboss.as.server.suspend.SuspendableActivity;
import org.jboss.as.server.suspend.SuspendableActivityRegistry;
import org.jboss.msc.Service;
import org.jboss.msc.service.LifecycleEvent;
import org.jboss.msc.service.ServiceBuilder;
import org.jboss.msc.service.ServiceContainer;
import org.jboss.msc.service.ServiceController;
import org.jboss.msc.service.ServiceName;
import org.jboss.msc.service.StartContext;
import org.jboss.msc.service.StopContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows WildFly's suspend and resume ({@code :suspend}, {@code :resume}, the suspend phase of
 * {@code :shutdown(suspend-timeout=...)}, a server started with {@code --start-mode=suspend}):
 * the only part of Taskbridge that knows WildFly's internals (note 027).
 *
 * <p>Jakarta EE has no API for it. WildFly Core's is its suspend controller, a service of the
 * server's MSC container whose value (the {@link SuspendableActivityRegistry}) a deployment can
 * reach only as a dependency of a service of its own: this installs one, which registers the
 * activity when it starts and unregisters it when it stops, and removes it again with the
 * deployment. The modules it needs ({@code org.jboss.as.server}, {@code org.jboss.msc}) are
 * WildFly's private API: the EAR names them, and WildFly logs WFLYSRV0018 for that at deploy. If
 * they or the controller are missing, Taskbridge runs without following suspends (said once at
 * INFO): a suspend then reaches the engine only as the stop that may follow it, which drains.
 */
final class ServerSuspension implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerSuspension.class);
    /** {@code SuspendableActivityRegistry.SERVICE_DESCRIPTOR}'s name, as a capability's service name. */
    static final ServiceName SUSPEND_CONTROLLER = ServiceName.parse("org.wildfly.server.suspend-controller");
    private static final long REGISTRATION_WAIT_SECONDS = 10;
    private static final long REMOVAL_WAIT_SECONDS = 10;

    /** What the deployment does when the server suspends and resumes. */
    interface Listener {

        /**
         * The server suspends: take no new work.
         *
         * @param booting the server boots (it is suspended until its boot ends): no request waits for the work under way
         * @return completes when the work under way has ended
         */
        CompletionStage<Void> suspend(boolean booting);

        void resume();
    }

    /** Null when the server's suspend is not followed. */
    private final ServiceController<?> service;

    private ServerSuspension(ServiceController<?> service) {
        this.service = service;
    }

    /**
     * Installs the service that registers {@code listener} with the server's suspend controller.
     *
     * @return the registration, closed when the deployment stops; one that does nothing when the
     *         server's suspend cannot be followed
     */
    static ServerSuspension follow(Listener listener) {
        try {
            ServiceContainer container = CurrentServiceContainer.getServiceContainer();
            if (container == null) {
                LOG.info("WildFly's suspend and resume are not followed: no server service container");
                return new ServerSuspension(null);
            }
            if (container.getService(SUSPEND_CONTROLLER) == null) {
                LOG.info("WildFly's suspend and resume are not followed: the server has no service {}", SUSPEND_CONTROLLER);
                return new ServerSuspension(null);
            }
            ServiceBuilder<?> builder = container.addService();
            Supplier<SuspendableActivityRegistry> registry = builder.requires(SUSPEND_CONTROLLER);
            builder.setInstance(new ActivityService(registry, new Activity(listener)));
            CountDownLatch registered = new CountDownLatch(1);
            builder.addListener((controller, event) -> {
                if (event == LifecycleEvent.UP || event == LifecycleEvent.FAILED) {
                    registered.countDown();
                }
            });
            ServerSuspension followed = new ServerSuspension(builder.install());
            // Its start (on an MSC thread) tells at once whether the server is suspended, as it is at boot: the
            // engine, started next, then starts suspended and begins no step before the boot ends.
            try {
                if (!registered.await(REGISTRATION_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    LOG.warn("The activity that follows WildFly's suspend was not registered within {} s; it is followed "
                            + "once it is", REGISTRATION_WAIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return followed;
        } catch (RuntimeException | LinkageError e) {
            LOG.info("WildFly's suspend and resume are not followed: {}", e.toString());
            return new ServerSuspension(null);
        }
    }

    /** Unregisters the activity and removes the service, waiting a little for it: the deployment's classes leave with it. */
    @Override
    public void close() {
        if (service == null || service.getState() == ServiceController.State.REMOVED) {
            return;
        }
        CountDownLatch removed = new CountDownLatch(1);
        service.addListener((controller, event) -> {
            if (event == LifecycleEvent.REMOVED) {
                removed.countDown();
            }
        });
        service.setMode(ServiceController.Mode.REMOVE);
        try {
            if (!removed.await(REMOVAL_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("The service that follows WildFly's suspend was not removed within {} s", REMOVAL_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record ActivityService(Supplier<SuspendableActivityRegistry> registry, SuspendableActivity activity)
            implements Service {

        @Override
        public void start(StartContext context) {
            // a server that is not running (at boot) suspends the activity here at once: Activity.suspend does not block then
            registry.get().registerActivity(activity);
        }

        @Override
        public void stop(StopContext context) {
            registry.get().unregisterActivity(activity);
        }
    }

    private record Activity(Listener listener) implements SuspendableActivity {

        @Override
        public CompletionStage<Void> suspend(ServerSuspendContext context) {
            return listener.suspend(context.isStarting());
        }

        @Override
        public CompletionStage<Void> resume(ServerResumeContext context) {
            listener.resume();
            return SuspendableActivity.COMPLETED;
        }
    }
}
