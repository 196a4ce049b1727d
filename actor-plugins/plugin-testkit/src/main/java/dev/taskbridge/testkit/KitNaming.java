package dev.taskbridge.testkit;

import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.Map;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.OperationNotSupportedException;
import javax.naming.spi.InitialContextFactory;

/**
 * JNDI for a plain JVM: {@code new InitialContext().lookup(name)} finds what the running kit bound
 * under that name (its datasource under the server's name, by default), so a plugin looks up its
 * datasource in a test as it does in the server, with no code of its own for tests. Only look-ups;
 * anything else a plugin asks of JNDI is refused.
 *
 * <p>The kit names this class in {@code java.naming.factory.initial} while it runs, and only then.
 * One kit runs at a time in a JVM: the engine's threads, not the test's, look names up.
 */
public final class KitNaming implements InitialContextFactory {

    private static volatile Map<String, Object> bindings;

    /** Binds {@code names} until {@link #unbind}; refused while another kit's names are bound. */
    static synchronized void bind(Map<String, Object> names) {
        if (bindings != null) {
            throw new IllegalStateException("another PluginTestKit is running in this JVM: close it first (one kit at a time)");
        }
        String factory = System.getProperty(Context.INITIAL_CONTEXT_FACTORY);
        if (factory != null && !factory.equals(KitNaming.class.getName())) {
            throw new IllegalStateException(Context.INITIAL_CONTEXT_FACTORY + " is " + factory
                    + ": the kit binds its datasource in JNDI through " + KitNaming.class.getName());
        }
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, KitNaming.class.getName());
        bindings = Map.copyOf(names);
    }

    /** Takes the names away, and the kit's factory out of the JVM's JNDI settings: a later test finds JNDI as it was. */
    static synchronized void unbind() {
        bindings = null;
        System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
    }

    @Override
    public Context getInitialContext(Hashtable<?, ?> environment) {
        return (Context) Proxy.newProxyInstance(KitNaming.class.getClassLoader(), new Class<?>[]{Context.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "lookup":
                            String name = String.valueOf(args[0]);
                            Map<String, Object> bound = bindings;
                            Object value = bound == null ? null : bound.get(name);
                            if (value == null) {
                                throw new NameNotFoundException(name + " is not bound by the test kit; it binds "
                                        + (bound == null ? "nothing now (no kit is running)" : bound.keySet()));
                            }
                            return value;
                        case "close":
                            return null;
                        case "getEnvironment":
                            return new Hashtable<>(environment);
                        case "toString":
                            return "the test kit's JNDI";
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            throw new OperationNotSupportedException(method.getName() + ": the test kit's JNDI has look-ups only");
                    }
                });
    }
}
