package dev.taskbridge.engine.plugins;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarFile;

import dev.taskbridge.plugin.TaskType;

/**
 * A plugin jar an operator put into the plugin directory (note 043), loaded in a class loader of its
 * own from a copy of its own, so that the operator may replace or delete the file while its classes
 * are in use: a class loader reading a jar that is overwritten in place reads garbage.
 *
 * <p>The class loader delegates to the deployment's first, so the plugin shares the plugin API,
 * Jackson and whatever else the EAR gives its plugins; a class the EAR has already is the EAR's,
 * and a plugin class of that name in the jar is reported rather than silently shadowed.
 */
public final class DirectoryJar implements AutoCloseable {

    private static final String SERVICES = "META-INF/services/" + TaskType.class.getName();

    private final String name;
    private final String checksum;
    private final List<TaskType<?>> types;
    private final List<String> problems;
    /** Null for a jar made in a test of decisions, which has no classes of its own. */
    private final URLClassLoader loader;

    private DirectoryJar(String name, String checksum, List<TaskType<?>> types, List<String> problems, URLClassLoader loader) {
        this.name = name;
        this.checksum = checksum;
        this.types = List.copyOf(types);
        this.problems = List.copyOf(problems);
        this.loader = loader;
    }

    /** A jar with these plugins and no class loader: what a test of {@link PluginSwap} decides about. */
    public static DirectoryJar of(String name, String checksum, List<TaskType<?>> types) {
        return new DirectoryJar(name, checksum, types, List.of(), null);
    }

    /** A jar file's bytes as they were read once, and their checksum: what a jar is known by. */
    public record Content(String name, byte[] bytes, String checksum) {
    }

    /**
     * Reads a jar file once: what is copied and loaded is what was checksummed, even if the file
     * changes meanwhile.
     *
     * @throws IOException it cannot be read
     */
    public static Content read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return new Content(file.getFileName().toString(), bytes, HexFormat.of().formatHex(sha256().digest(bytes)));
    }

    /** A file that could not be read: said, and loaded at the next look if it can be read then. */
    static DirectoryJar unreadable(String name, IOException e) {
        return new DirectoryJar(name, "unreadable " + name, List.of(), List.of(name + " could not be read: " + e), null);
    }

    /**
     * Loads a jar: copies its bytes to {@code copies}, under a folder named by its checksum, and
     * finds its {@link TaskType} plugins there through {@link ServiceLoader}, only those the jar
     * itself declares and defines, each checked as the registry checks plugins. Never throws for
     * what is wrong with the jar: a jar that is no jar, declares no plugin, or has a plugin that
     * fails to load or is described wrongly comes back with {@link #problems()} and no plugin at
     * all, as a jar runs whole or not at all: a version whose one plugin is broken must not take
     * over from one whose plugins all ran.
     */
    public static DirectoryJar load(Content content, Path copies, ClassLoader parent) {
        String name = content.name();
        Path copy = copies.resolve(content.checksum().substring(0, 16)).resolve(name);
        try {
            if (!Files.exists(copy)) { // the same bytes copied before: never written again under a class loader reading it
                Files.createDirectories(copy.getParent());
                Path written = Files.createTempFile(copy.getParent(), name, ".part");
                Files.write(written, content.bytes());
                Files.move(written, copy, StandardCopyOption.ATOMIC_MOVE);
            }
            new JarFile(copy.toFile()).close(); // a file that is no jar is said so, not taken for a jar without plugins
        } catch (IOException | UncheckedIOException e) {
            return new DirectoryJar(name, content.checksum(), List.of(),
                    List.of(name + " is not a jar that can be read: " + e.getMessage()), null);
        }
        URL url;
        try {
            url = copy.toUri().toURL();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        URLClassLoader loader = new URLClassLoader("taskbridge-plugin " + name, new URL[] {url}, parent);
        List<TaskType<?>> types = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (loader.findResource(SERVICES) == null) {
            problems.add(name + " holds no task type plugin: it has no " + SERVICES);
        } else {
            find(name, loader, types, problems);
        }
        for (TaskType<?> type : types) {
            TaskTypeRegistry.whySkipped(type).ifPresent(why -> problems.add(name + ": task type plugin "
                    + type.getClass().getName() + " cannot run: " + why));
        }
        return new DirectoryJar(name, content.checksum(), problems.isEmpty() ? types : List.of(), problems, loader);
    }

    private static void find(String name, URLClassLoader loader, List<TaskType<?>> types, List<String> problems) {
        Iterator<ServiceLoader.Provider<TaskType>> providers = ServiceLoader.load(TaskType.class, loader).stream().iterator();
        while (true) {
            ServiceLoader.Provider<TaskType> provider;
            try {
                if (!providers.hasNext()) {
                    return;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError e) {
                problems.add(name + ": a task type plugin could not be loaded: " + e.getMessage());
                continue;
            }
            if (provider.type().getClassLoader() != loader) {
                // the deployment's own plugins, seen through the parent; or a class of the jar the EAR has too
                if (declaredHere(loader, provider.type().getName())) {
                    problems.add(name + ": plugin class " + provider.type().getName()
                            + " is the EAR's too, and the EAR's is used: a plugin in the EAR is replaced by deploying the EAR");
                }
                continue;
            }
            try {
                TaskType<?> type = provider.get();
                type.id(); // a plugin that cannot say what it is cannot be decided about
                type.version();
                types.add(type);
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                problems.add(name + ": task type plugin " + provider.type().getName() + " could not be instantiated: " + cause);
            }
        }
    }

    private static boolean declaredHere(URLClassLoader loader, String className) {
        return loader.findResource(className.replace('.', '/') + ".class") != null;
    }

    /** The file's name in the plugin directory. */
    public String name() {
        return name;
    }

    /** Hex SHA-256 of the file's bytes: the same file twice is one jar. */
    public String checksum() {
        return checksum;
    }

    /** What tells jars apart: its name and its content. The same bytes under another name are another jar. */
    String identity() {
        return name + "\u0000" + checksum;
    }

    /** The plugins that loaded. */
    public List<TaskType<?>> types() {
        return types;
    }

    /** One line per plugin of the jar that did not load, or why the jar itself did not. */
    public List<String> problems() {
        return problems;
    }

    /** Closes the class loader and deletes its copy: once the engine that ran these plugins has stopped. */
    @Override
    public void close() {
        if (loader == null) {
            return;
        }
        try {
            loader.close();
            for (URL url : loader.getURLs()) {
                Path copy = Path.of(url.toURI());
                Files.deleteIfExists(copy);
                Files.deleteIfExists(copy.getParent()); // empty unless the same bytes are there under another name
            }
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            // the copies' folder is deleted with the deployment
        }
    }

    /** Its file's name: the checksum an operator compares is the one of its entries that the engine lists ({@link PluginJar}). */
    @Override
    public String toString() {
        return name;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
