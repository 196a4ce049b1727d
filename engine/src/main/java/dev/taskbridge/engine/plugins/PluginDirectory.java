package dev.taskbridge.engine.plugins;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory an operator drops plugin jars into, and takes them out of, while the server runs
 * (note 043). It reads the directory when asked ({@link #look}), loads each new or changed
 * {@code *.jar} in a class loader of its own ({@link DirectoryJar}), and has {@link PluginSwap}
 * decide which may run; the caller stops the engine with the old plugins and starts it with the
 * new ones, then calls {@link #activate} (or {@link #failedToStart}). Not thread-safe: its owner
 * calls it under one lock.
 */
public final class PluginDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PluginDirectory.class);

    private final Path directory;
    /** Where the jars are copied to before they are loaded: the operator's files stay the operator's. */
    private final Path copies;
    private final ClassLoader parent;
    /** Each jar file in the directory, as it was when last loaded. */
    private final Map<String, Seen> seen = new HashMap<>();
    /**
     * A file that changed since the look before, by name: loaded once a look finds it as the last
     * one did, so that a file still being copied in is never taken for the operator's jar.
     */
    private final Map<String, Stamp> changing = new HashMap<>();
    /** Jars the engine did not start with, and why: not decided about again until their file changes. */
    private final Map<DirectoryJar, String> failed = new IdentityHashMap<>();
    private List<DirectoryJar> active = List.of();
    /** Whether the last decision took the directory as it is, or waits for nothing but a change of it. */
    private boolean settled;
    /** Whether the directory was read before: the first look, at boot, loads every file as it is. */
    private boolean looked;

    private record Stamp(long size, FileTime modified) {
    }

    private record Seen(Stamp stamp, DirectoryJar jar) {
    }

    private PluginDirectory(Path directory, Path copies, ClassLoader parent) {
        this.directory = directory;
        this.copies = copies;
        this.parent = parent;
    }

    /**
     * The plugin directory at {@code directory}, made if it is not there.
     *
     * @param parent what the plugins' class loaders delegate to first: the deployment's
     * @throws UncheckedIOException the directory cannot be made, or the copies' folder cannot
     */
    public static PluginDirectory open(Path directory, ClassLoader parent) {
        try {
            Files.createDirectories(directory);
            return new PluginDirectory(directory, Files.createTempDirectory("taskbridge-plugins"), parent);
        } catch (IOException e) {
            throw new UncheckedIOException("the plugin directory " + directory + " cannot be used: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return directory;
    }

    /** The jars whose plugins run. */
    public List<DirectoryJar> active() {
        return active;
    }

    /**
     * Reads the directory and decides which of its jars may run, or nothing when the directory is
     * as the last decision took it and that decision waits for no task. Changes nothing of what
     * runs: that is {@link #activate}'s. The first look (at boot) takes every file as it is.
     *
     * @param unfinished asked only when there is something to decide
     */
    public Optional<PluginSwap.Decision> look(Set<String> earTypes, PluginSwap.Unfinished unfinished) {
        boolean changed = read(!looked);
        looked = true;
        if (!changed && settled) {
            return Optional.empty();
        }
        return Optional.of(decide(earTypes, unfinished));
    }

    /** Decides again on the directory as last read: after the engine drained, when no task can be submitted meanwhile. */
    public PluginSwap.Decision decideAgain(Set<String> earTypes, PluginSwap.Unfinished unfinished) {
        return decide(earTypes, unfinished);
    }

    private PluginSwap.Decision decide(Set<String> earTypes, PluginSwap.Unfinished unfinished) {
        settled = false; // until decided: a decision that throws is made again at the next look
        List<DirectoryJar> present = new ArrayList<>();
        List<String> notStarted = new ArrayList<>();
        Set<String> typesOfFailed = new java.util.HashSet<>();
        seen.values().stream().map(Seen::jar).sorted(Comparator.comparing(DirectoryJar::name)).forEach(jar -> {
            String why = failed.get(jar);
            if (why == null) {
                present.add(jar);
            } else {
                notStarted.add(jar.name() + " is not loaded: the engine did not start with it: " + why
                        + "; it is tried again when its file is written or touched");
                jar.types().forEach(type -> typesOfFailed.add(type.id()));
            }
        });
        // what runs in place of a jar the engine did not start with stays, as if the directory still had it
        active.stream().filter(jar -> !present.contains(jar) && jar.types().stream().anyMatch(type -> typesOfFailed.contains(type.id())))
                .forEach(present::add);
        PluginSwap.Decision decision = PluginSwap.decide(active, present, earTypes, unfinished);
        settled = !decision.waitsForTasks();
        if (notStarted.isEmpty()) {
            return decision;
        }
        List<String> problems = new ArrayList<>(notStarted);
        problems.addAll(decision.problems());
        return new PluginSwap.Decision(decision.active(), problems, decision.waitsForTasks(), decision.closedTypes());
    }

    /**
     * The decision's jars run from now on: called once the engine runs their plugins (or the jars
     * were the same). Closes the class loaders of jars neither running nor in the directory.
     */
    public void activate(PluginSwap.Decision decision) {
        List<DirectoryJar> before = active;
        active = decision.active();
        before.forEach(this::closeIfUnused);
    }

    /**
     * The engine did not start with the decision's plugins and runs on with those that ran: the
     * decision's new jars are refused, with {@code why}, until their file changes.
     */
    public void failedToStart(PluginSwap.Decision decision, String why) {
        decision.active().stream().filter(jar -> !active.contains(jar)).forEach(jar -> failed.put(jar, why));
        settled = false;
    }

    /** Reads what changed of the directory's jars; whether what is loaded of it changed. */
    private boolean read(boolean first) {
        Map<String, Stamp> files = new LinkedHashMap<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(directory, "*.jar")) {
            for (Path jar : jars) {
                BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
                if (attributes.isRegularFile()) {
                    files.put(jar.getFileName().toString(), new Stamp(attributes.size(), attributes.lastModifiedTime()));
                }
            }
        } catch (IOException e) {
            // a directory deleted or unreadable: what runs goes on, as with a directory left as it was
            LOG.warn("The plugin directory {} cannot be read: {}", directory, e.toString());
            return false;
        }
        boolean changed = false;
        for (String gone : new ArrayList<>(seen.keySet())) {
            if (!files.containsKey(gone)) {
                forget(seen.remove(gone).jar());
                changed = true;
            }
        }
        changing.keySet().retainAll(files.keySet());
        for (Map.Entry<String, Stamp> file : files.entrySet()) {
            String name = file.getKey();
            Seen before = seen.get(name);
            if (before != null && before.stamp().equals(file.getValue())) {
                continue;
            }
            if (!first && !file.getValue().equals(changing.put(name, file.getValue()))) {
                continue; // changed since the look before: loaded when it has stopped changing
            }
            changing.remove(name);
            DirectoryJar jar = load(directory.resolve(name));
            failed.remove(jar); // its file was written or touched since: the operator asks for another try
            seen.put(name, new Seen(file.getValue(), jar));
            if (before != null && before.jar() != jar) {
                forget(before.jar());
            }
            changed = true;
        }
        return changed;
    }

    /** A jar's file: the jar already loaded of the same bytes and name, else loaded anew. */
    private DirectoryJar load(Path file) {
        DirectoryJar.Content content;
        try {
            content = DirectoryJar.read(file);
        } catch (IOException e) {
            return DirectoryJar.unreadable(file.getFileName().toString(), e);
        }
        Stream<DirectoryJar> known = Stream.concat(active.stream(), seen.values().stream().map(Seen::jar));
        return known.filter(jar -> jar.checksum().equals(content.checksum()) && jar.name().equals(content.name()))
                .findFirst().orElseGet(() -> DirectoryJar.load(content, copies, parent));
    }

    /** A jar whose file is gone or changed: closed unless it runs (then when it stops running). */
    private void forget(DirectoryJar jar) {
        failed.remove(jar);
        closeIfUnused(jar);
    }

    private void closeIfUnused(DirectoryJar jar) {
        boolean inDirectory = seen.values().stream().anyMatch(file -> file.jar() == jar);
        if (!inDirectory && !active.contains(jar)) {
            jar.close();
        }
    }

    /** Closes every jar's class loader and deletes the copies: after the engine that ran them has stopped. */
    @Override
    public void close() {
        Set<DirectoryJar> all = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        all.addAll(active);
        seen.values().forEach(file -> all.add(file.jar()));
        all.forEach(DirectoryJar::close);
        seen.clear();
        changing.clear();
        failed.clear();
        active = List.of();
        try (Stream<Path> files = Files.walk(copies)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("The plugin copies in {} could not be deleted: {}", copies, e.toString());
        }
    }
}
