package dev.taskbridge.engine.threads;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.typesafe.config.Config;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;

/**
 * A fixed thread pool on the host's threads, named in configuration as a dispatcher's
 * {@code executor}. The pool size is read from {@code host-thread-pool.size} in the dispatcher's
 * own block.
 *
 * <p>Threads are renamed {@code taskbridge-<dispatcher>-<n>} so that operators, thread dumps and
 * the leak check after an undeploy can tell them apart from the container's other threads.
 * Without a {@link HostThreads} setup (plain JVM tests) Pekko's own thread factory is used.
 */
public final class HostThreadPoolConfigurator extends ExecutorServiceConfigurator {

    /** Prefix of every thread the engine runs on; the undeploy leak check looks for it. */
    public static final String THREAD_NAME_PREFIX = "taskbridge-";

    private final int size;
    private final ThreadFactory hostFactory;

    public HostThreadPoolConfigurator(Config config, DispatcherPrerequisites prerequisites) {
        super(config, prerequisites);
        this.size = config.getInt("host-thread-pool.size");
        if (size < 1) {
            throw new IllegalArgumentException("host-thread-pool.size must be at least 1, was " + size);
        }
        this.hostFactory = prerequisites.settings().setup().get(HostThreads.class)
                .map(HostThreads::threadFactory)
                .orElse(null);
    }

    @Override
    public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory pekkoFactory) {
        ThreadFactory named = renaming(hostFactory != null ? hostFactory : pekkoFactory, id);
        return () -> new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), named);
    }

    private static ThreadFactory renaming(ThreadFactory delegate, String dispatcherId) {
        String shortId = dispatcherId.substring(dispatcherId.lastIndexOf('.') + 1);
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = delegate.newThread(runnable);
            thread.setName(THREAD_NAME_PREFIX + shortId + "-" + counter.incrementAndGet());
            return thread;
        };
    }

}
