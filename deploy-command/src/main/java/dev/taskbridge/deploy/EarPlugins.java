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
import java.util.Collection;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The task types an EAR's plugins provide, found as the EAR's engine finds them at start: its
 * {@code lib/} jars in a class loader of their own, the EAR's own classes first and the jars of the
 * WildFly installation's modules behind them (the Jakarta APIs a plugin names, such as JSON-P or
 * JPA), and the EAR's own {@code TaskTypeRegistry.discover}, through reflection.
 *
 * <p>So a plugin the engine would skip (a bad id, a plugin API newer than the engine's, a class
 * that does not load) is reported as the engine would report it, two plugins with one id are
 * found as the engine would refuse them, and whether a plugin can run a version of tasks is its
 * engine's {@code PayloadMigrations.whyNot}: a command of another release judges an EAR as its
 * engine will.
 */
final class EarPlugins implements AutoCloseable {

    static final String REGISTRY = "dev.taskbridge.engine.plugins.TaskTypeRegistry";
    static final String TASK_TYPE = "dev.taskbridge.plugin.TaskType";
    static final String PAYLOAD_MIGRATIONS = "dev.taskbridge.engine.plugins.PayloadMigrations";
    static final String DIRECTORY_JAR = "dev.taskbridge.engine.plugins.DirectoryJar";
    static final String PLUGIN_JAR = "dev.taskbridge.engine.plugins.PluginJar";

    private final Path unpacked;
    private final URLClassLoader server;
    private final URLClassLoader ear;
    private final Map<String, PluginType> types = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    /** The plugin directory's jars read with this EAR's engine: their class loaders close with it. */
    private final List<AutoCloseable> jars = new ArrayList<>();
    private Method id;
    private Method version;
    private Method whyNot;

    private EarPlugins(Path unpacked, URLClassLoader server, URLClassLoader ear) {
        this.unpacked = unpacked;
        this.server = server;
        this.ear = ear;
    }

    /** {@link #read(Path, Path, Path)} into the system's temporary directory. */
    static EarPlugins read(Path earFile, Path wildflyHome) throws IOException {
        return read(earFile, wildflyHome, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Reads the task types of {@code earFile}'s plugins; {@link #close()} deletes what it unpacked.
     *
     * @param wildflyHome the server's installation, whose {@code modules/} jars the plugins may need
     * @param temporary   where to unpack the EAR's {@code lib/}
     * @throws IllegalArgumentException the file is no EAR with Taskbridge's engine in its lib/
     */
    static EarPlugins read(Path earFile, Path wildflyHome, Path temporary) throws IOException {
        Path modules = wildflyHome.resolve("modules");
        if (!Files.isDirectory(modules)) {
            throw new IllegalArgumentException(modules + " is no directory: --wildfly-home must name the server's installation");
        }
        Path unpacked = Files.createTempDirectory(temporary, "taskbridge-deploy-");
        EarPlugins plugins = null;
        try {
            List<URL> libs = unpackLibs(earFile, unpacked);
            URLClassLoader server = new URLClassLoader("wildfly-modules", jarsUnder(modules), ClassLoader.getPlatformClassLoader());
            plugins = new EarPlugins(unpacked, server, new EarFirstClassLoader(libs.toArray(URL[]::new), server));
            plugins.load(earFile);
            return plugins;
        } catch (IOException | RuntimeException e) {
            try {
                if (plugins != null) {
                    plugins.close();
                } else {
                    deleteRecursively(unpacked);
                }
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    Map<String, PluginType> types() {
        return types;
    }

    /** What the EAR's engine would report about its plugins at start: those it would skip, and why. */
    List<String> problems() {
        return problems;
    }

    private void load(Path earFile) {
        Method discover;
        Method all;
        Method problemsOf;
        try {
            Class<?> registry = ear.loadClass(REGISTRY);
            Class<?> taskType = ear.loadClass(TASK_TYPE);
            discover = registry.getMethod("discover", ClassLoader.class);
            all = registry.getMethod("all");
            problemsOf = registry.getMethod("problems");
            id = taskType.getMethod("id");
            version = taskType.getMethod("version");
            whyNot = ear.loadClass(PAYLOAD_MIGRATIONS).getMethod("whyNot", taskType, int.class);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException(earFile + " holds no Taskbridge engine this command can read in its lib/ ("
                    + e + "): is it Taskbridge's EAR?");
        }
        Object registry;
        try {
            registry = discover.invoke(null, ear);
        } catch (InvocationTargetException e) {
            // two plugins with one id: the engine would not start at all
            problems.add(String.valueOf(e.getCause().getMessage()));
            return;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        try {
            for (Object type : (Collection<?>) all.invoke(registry)) {
                PluginType read = typeOf(type);
                types.put(read.id(), read);
            }
            for (Object problem : (List<?>) problemsOf.invoke(registry)) {
                problems.add(String.valueOf(problem));
            }
        } catch (InvocationTargetException e) {
            // the registry read id() and version() already; they failing now is the plugin's own doing
            problems.add("a plugin failed to say its id or version: " + e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private PluginType typeOf(Object type) throws IllegalAccessException, InvocationTargetException {
        return new PluginType((String) id.invoke(type), (Integer) version.invoke(type), tasksVersion -> whyNot(whyNot, type, tasksVersion));
    }

    /**
     * A jar for the plugin directory (note 043), loaded as this EAR's engine loads one: in a class
     * loader of its own under the EAR's, whole or not at all, its checksum as the server will list it.
     *
     * @throws IllegalArgumentException this EAR's engine has no plugin directory (it is older)
     */
    DirectoryPlugin plugin(Path jarFile) throws IOException {
        Class<?> directoryJar;
        Method read;
        Method load;
        Method describe;
        try {
            directoryJar = ear.loadClass(DIRECTORY_JAR);
            Class<?> content = ear.loadClass(DIRECTORY_JAR + "$Content");
            read = directoryJar.getMethod("read", Path.class);
            load = directoryJar.getMethod("load", content, Path.class, ClassLoader.class);
            describe = ear.loadClass(PLUGIN_JAR).getMethod("read", String.class, InputStream.class);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("the EAR's engine loads no plugin jars (" + e + "): it is older than the plugin directory");
        }
        String name = jarFile.getFileName().toString();
        try {
            Object jar = load.invoke(null, read.invoke(null, jarFile), unpacked.resolve("copies"), ear);
            jars.add((AutoCloseable) jar);
            Map<String, PluginType> jarTypes = new LinkedHashMap<>();
            for (Object type : (Collection<?>) directoryJar.getMethod("types").invoke(jar)) {
                PluginType each = typeOf(type);
                jarTypes.put(each.id(), each);
            }
            List<String> jarProblems = ((List<?>) directoryJar.getMethod("problems").invoke(jar)).stream().map(String::valueOf).toList();
            String checksum;
            try (InputStream in = Files.newInputStream(jarFile)) {
                Object described = describe.invoke(null, name, in);
                checksum = (String) described.getClass().getMethod("checksum").invoke(described);
            }
            return new DirectoryPlugin(name, checksum, jarTypes, jarProblems);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalArgumentException(name + " could not be read as a plugin jar: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
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
        } catch (ZipException e) {
            throw new IllegalArgumentException(earFile + " is not an EAR (not a zip file: " + e.getMessage() + ")");
        }
        return libs;
    }

    private static URL[] jarsUnder(Path modules) throws IOException {
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
            for (AutoCloseable jar : jars) {
                try {
                    jar.close();
                } catch (Exception e) {
                    throw new IOException("a plugin jar's class loader did not close: " + e, e);
                }
            }
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

    /**
     * The EAR's classes before the installation's, as WildFly gives a deployment its own libraries
     * before the modules it adds (and the EAR excludes some, such as WildFly's Jackson, to use its
     * own): only the JDK's classes come from the parent first.
     */
    private static final class EarFirstClassLoader extends URLClassLoader {

        static {
            registerAsParallelCapable();
        }

        EarFirstClassLoader(URL[] urls, ClassLoader parent) {
            super("ear", urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null && !name.startsWith("java.")) {
                    try {
                        loaded = findClass(name);
                    } catch (ClassNotFoundException notInTheEar) {
                        // the installation's, below
                    }
                }
                if (loaded == null) {
                    return super.loadClass(name, resolve);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }
    }
}
