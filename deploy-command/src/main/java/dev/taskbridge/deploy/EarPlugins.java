package dev.taskbridge.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The task types an EAR's plugins provide, read as the server would find them: the EAR's
 * {@code lib/} jars in a class loader of their own, through {@link ServiceLoader}, over the jars of
 * the WildFly installation's modules (the Jakarta APIs a plugin may name, such as JSON-P or JPA).
 *
 * <p>The EAR's own plugin API and engine are used, through reflection, not the command's: whether
 * a plugin can run a version of tasks is decided by the engine that will run it
 * ({@code PayloadMigrations.whyNot}), so a command of another release judges an EAR as its engine
 * will at start.
 */
final class EarPlugins implements AutoCloseable {

    static final String TASK_TYPE = "dev.taskbridge.plugin.TaskType";
    static final String PAYLOAD_MIGRATIONS = "dev.taskbridge.engine.plugins.PayloadMigrations";

    private final Path unpacked;
    private final URLClassLoader server;
    private final URLClassLoader ear;
    private final Map<String, PluginType> types = new LinkedHashMap<>();
    private final List<String> unreadable = new ArrayList<>();

    private EarPlugins(Path unpacked, URLClassLoader server, URLClassLoader ear) {
        this.unpacked = unpacked;
        this.server = server;
        this.ear = ear;
    }

    /**
     * Reads the task types of {@code earFile}'s plugins.
     *
     * @param wildflyHome the server's installation, whose {@code modules/} jars the plugins may need
     * @throws IllegalArgumentException the file is no EAR with Taskbridge's engine in its lib/
     */
    static EarPlugins read(Path earFile, Path wildflyHome) throws IOException {
        Path unpacked = Files.createTempDirectory("taskbridge-deploy-");
        URLClassLoader server = null;
        try {
            List<URL> libs = unpackLibs(earFile, unpacked);
            server = new URLClassLoader("wildfly-modules", jarsUnder(wildflyHome.resolve("modules")),
                    ClassLoader.getPlatformClassLoader());
            EarPlugins plugins = new EarPlugins(unpacked, server, new URLClassLoader("ear", libs.toArray(URL[]::new), server));
            plugins.load(earFile);
            return plugins;
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            deleteRecursively(unpacked);
            throw e;
        }
    }

    Map<String, PluginType> types() {
        return types;
    }

    /** The plugins that could not be read, each with its class (or jar) and why. */
    List<String> unreadable() {
        return unreadable;
    }

    private void load(Path earFile) {
        Class<?> taskType;
        Method whyNot;
        try {
            taskType = ear.loadClass(TASK_TYPE);
            whyNot = ear.loadClass(PAYLOAD_MIGRATIONS).getMethod("whyNot", taskType, int.class);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(earFile + " holds no Taskbridge engine in its lib/ (" + e + "): is it Taskbridge's EAR?");
        }
        Method id = method(taskType, "id");
        Method version = method(taskType, "version");
        Iterator<?> providers = ServiceLoader.load(taskType, ear).iterator();
        while (true) {
            Object type;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                type = providers.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                // as the server does at boot: a broken plugin is reported by name and the others are read
                unreadable.add(describe(e));
                continue;
            }
            try {
                String typeId = (String) id.invoke(type);
                int typeVersion = (Integer) version.invoke(type);
                types.put(typeId, new PluginType(typeId, typeVersion, tasksVersion -> whyNot(whyNot, type, tasksVersion)));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                unreadable.add(type.getClass().getName() + ": " + describe(e));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Optional<String> whyNot(Method whyNot, Object type, int tasksVersion) {
        try {
            return (Optional<String>) whyNot.invoke(null, type, tasksVersion);
        } catch (InvocationTargetException e) {
            // the plugin's own migrationFrom threw: its engine would not activate the type either (note 028)
            return Optional.of("its plugin failed to say whether it runs tasks of version " + tasksVersion + " (" + e.getCause() + ")");
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Method method(Class<?> type, String name) {
        try {
            return type.getMethod(name);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(type + " has no " + name + "()", e);
        }
    }

    /** The error and its causes, innermost last: a missing class is named deep in a ServiceConfigurationError. */
    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(String.valueOf(error.getMessage() == null ? error : error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(" (").append(cause).append(')');
        }
        return text.toString();
    }

    private static List<URL> unpackLibs(Path earFile, Path into) throws IOException {
        List<URL> libs = new ArrayList<>();
        try (ZipFile zip = new ZipFile(earFile.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                // lib/ directly: the EAR's library directory, as application.xml's default names it
                if (entry.isDirectory() || !name.startsWith("lib/") || !name.endsWith(".jar") || name.indexOf('/', 4) >= 0) {
                    continue;
                }
                Path jar = into.resolve(name.substring(4));
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
                }
                libs.add(jar.toUri().toURL());
            }
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(earFile + " is not an EAR (not a zip file: " + e.getMessage() + ")");
        }
        return libs;
    }

    private static URL[] jarsUnder(Path modules) throws IOException {
        if (!Files.isDirectory(modules)) {
            throw new IllegalArgumentException(modules + " is no directory: --wildfly-home must name the server's installation");
        }
        try (Stream<Path> paths = Files.walk(modules)) {
            return paths.filter(path -> path.toString().endsWith(".jar")).sorted().map(EarPlugins::url).toArray(URL[]::new);
        }
    }

    private static URL url(Path path) {
        try {
            return path.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try (server; ear) {
            types.clear();
        } finally {
            deleteRecursively(unpacked);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
