package dev.taskbridge.engine.threads;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;

import org.apache.pekko.actor.setup.Setup;

/**
 * Carries the host's thread factory into the actor system's setup, where
 * {@link HostThreadPoolConfigurator} finds it. Passing it this way, rather than through a static
 * field or a JNDI lookup from a Pekko thread, keeps two deployments from ever sharing it.
 */
public final class HostThreads extends Setup {

    private final ThreadFactory threadFactory;

    public HostThreads(ThreadFactory threadFactory) {
        this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
    }

    public ThreadFactory threadFactory() {
        return threadFactory;
    }
}
