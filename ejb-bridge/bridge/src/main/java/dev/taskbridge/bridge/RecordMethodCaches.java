package dev.taskbridge.bridge;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.runtime.ObjectMethods;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets an undeployed application's class loader go on Java 17.
 *
 * <p>Before Java 18 (JDK-8078641), {@code java.lang.runtime.ObjectMethods} keeps the last
 * adaptation of its shared {@code Objects.equals}, {@code Objects.hashCode} and
 * {@code String.valueOf} handles in a strong one-element cache. The record whose generated
 * {@code equals}, {@code hashCode} or {@code toString} ran first most recently therefore pins its
 * class loader, and with it every class of the deployment, until some other record takes its
 * place. Bootstrapping the three methods once more for a JDK class puts an adaptation that refers
 * only to JDK classes in the cache.
 */
final class RecordMethodCaches {

    private static final Logger LOG = LoggerFactory.getLogger(RecordMethodCaches.class);

    private RecordMethodCaches() {
    }

    static void release() {
        if (Runtime.version().feature() >= 18) {
            return;
        }
        try {
            // Any class with a String-valued getter will do: the cached adaptations then name only String.
            MethodHandle name = MethodHandles.lookup().findVirtual(Thread.class, "getName", MethodType.methodType(String.class));
            for (String method : new String[] {"equals", "hashCode", "toString"}) {
                ObjectMethods.bootstrap(MethodHandles.lookup(), method, MethodHandle.class, Thread.class, "name", name);
            }
        } catch (Throwable e) {
            LOG.warn("Could not release the JDK's record method cache; this deployment's classes may stay loaded "
                    + "until another record replaces it", e);
        }
    }
}
