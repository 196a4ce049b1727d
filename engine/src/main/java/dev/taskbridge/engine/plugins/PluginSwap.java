package dev.taskbridge.engine.plugins;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.taskbridge.plugin.TaskType;

/**
 * Which of the plugin directory's jars run, given which run now and which tasks are unfinished
 * (note 043). The directory says what the operator wants; this says what is safe to do of it, and
 * why not the rest. No jar is taken out, or replaced, while it has unfinished tasks that nothing
 * left could run; no jar gives a task type the EAR or another jar gives; no jar is loaded that
 * cannot run the unfinished tasks of its types. What is refused stays as it was (a jar taken out
 * stays loaded, a new one is not loaded), is said in the problems, and is decided again at the next
 * look: a removal goes through once the tasks that held it have ended.
 */
public final class PluginSwap {

    /** How many ids of the unfinished tasks a problem names: enough to find them, few enough to read. */
    public static final int IDS_SHOWN = 5;

    private PluginSwap() {
    }

    /** The tasks not final (scheduled, queued, running), as the store counts them. */
    public interface Unfinished {

        /** Nothing unfinished: what a decision before the engine's first start takes (the start checks the versions then). */
        Unfinished NONE = new Unfinished() {
            @Override
            public Map<Integer, Long> versionsOf(String taskType) {
                return Map.of();
            }

            @Override
            public List<String> firstIds(String taskType, int version) {
                return List.of();
            }
        };

        /** Version to how many tasks of that type are unfinished; empty when none are. */
        Map<Integer, Long> versionsOf(String taskType);

        /** Up to {@value #IDS_SHOWN} of them, the oldest first. */
        List<String> firstIds(String taskType, int version);
    }

    /**
     * @param active        the jars that run from now on: those that ran and stay, and those loaded now
     * @param problems      one line per jar or plugin that does not run as the directory has it, and why
     * @param waitsForTasks whether something of the directory waits for unfinished tasks to end (a jar
     *                      taken out that stays, a version refused for the tasks of the one before): then
     *                      the same directory is decided again at the next look; other refusals stand
     *                      until the directory changes
     * @param closedTypes   task type to why it takes no new tasks: the types of a jar taken out that
     *                      stays for its tasks, which no jar in the directory gives; new tasks would hold
     *                      it for good. A type a jar in the directory gives (a version refused until the
     *                      old one's tasks end) takes new tasks: it is not being taken out
     */
    public record Decision(List<DirectoryJar> active, List<String> problems, boolean waitsForTasks,
                           Map<String, String> closedTypes) {
        public Decision {
            active = List.copyOf(active);
            problems = List.copyOf(problems);
            closedTypes = Map.copyOf(closedTypes);
        }

        /** Whether the jars that run differ from {@code before}'s. */
        public boolean changes(List<DirectoryJar> before) {
            return !sameJars(active, before);
        }

        /** Whether two lists hold the same jars, by name and content. */
        public static boolean sameJars(List<DirectoryJar> some, List<DirectoryJar> others) {
            return identities(some).equals(identities(others));
        }

        /** The plugins of the active jars. */
        public List<TaskType<?>> types() {
            return active.stream().flatMap(jar -> jar.types().stream()).toList();
        }
    }

    /**
     * @param running    the jars whose plugins run now
     * @param present    the jars in the directory now, loaded (those that run are the same objects)
     * @param earTypes   the task types the EAR's own plugins give: never given by the directory
     * @param unfinished the tasks not final
     */
    public static Decision decide(List<DirectoryJar> running, List<DirectoryJar> present, Set<String> earTypes,
                                  Unfinished unfinished) {
        Set<String> presentJars = identities(present);
        Set<String> runningJars = identities(running);
        List<DirectoryJar> staying = running.stream().filter(jar -> presentJars.contains(jar.identity())).toList();
        List<DirectoryJar> gone = running.stream().filter(jar -> !presentJars.contains(jar.identity())).toList();
        List<DirectoryJar> fresh = present.stream().filter(jar -> !runningJars.contains(jar.identity()))
                .sorted(Comparator.comparing(DirectoryJar::name)).toList();

        // A jar taken out stays while a type of it has unfinished tasks no new jar takes over. Keeping it
        // can refuse a new jar (both give a type), which can keep another: repeated until nothing changes;
        // the kept set only grows, so this ends within as many rounds as jars were taken out.
        Set<DirectoryJar> kept = new LinkedHashSet<>();
        while (true) {
            Round round = round(staying, kept, fresh, earTypes, unfinished);
            Set<DirectoryJar> keep = new LinkedHashSet<>();
            for (DirectoryJar jar : gone) {
                if (jar.types().stream().anyMatch(type -> !unfinished.versionsOf(type.id()).isEmpty()
                        && round.accepted.stream().noneMatch(taken -> gives(taken, type.id())))) {
                    keep.add(jar);
                }
            }
            if (keep.equals(kept)) {
                List<DirectoryJar> active = new ArrayList<>(staying);
                active.addAll(kept);
                active.addAll(round.accepted);
                List<String> problems = new ArrayList<>(round.refusals);
                kept.forEach(jar -> problems.add(whyKept(jar, unfinished)));
                List<DirectoryJar> coming = new ArrayList<>(round.accepted);
                coming.addAll(round.waiting);
                return new Decision(active, problems, !kept.isEmpty() || !round.waiting.isEmpty(), closed(kept, coming));
            }
            kept = keep;
        }
    }

    /** @param waiting the jars refused until unfinished tasks end: they come then */
    private record Round(List<DirectoryJar> accepted, List<String> refusals, List<DirectoryJar> waiting) {
    }

    /** Why a jar is not loaded, and whether that may change once tasks end. */
    private record Refusal(String why, boolean forTasks) {
        static Optional<Refusal> of(String why) {
            return Optional.of(new Refusal(why, false));
        }
    }

    private static Round round(List<DirectoryJar> staying, Set<DirectoryJar> kept, List<DirectoryJar> fresh,
                               Set<String> earTypes, Unfinished unfinished) {
        Map<String, DirectoryJar> givers = new HashMap<>();
        staying.forEach(jar -> jar.types().forEach(type -> givers.put(type.id(), jar)));
        kept.forEach(jar -> jar.types().forEach(type -> givers.put(type.id(), jar)));
        List<DirectoryJar> accepted = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        List<DirectoryJar> waiting = new ArrayList<>();
        for (DirectoryJar jar : fresh) {
            Optional<Refusal> refused = whyRefused(jar, givers, kept, earTypes, unfinished);
            if (refused.isPresent()) {
                refusals.add(jar.name() + " is not loaded: " + refused.get().why());
                refusals.addAll(jar.problems());
                if (refused.get().forTasks()) {
                    waiting.add(jar);
                }
            } else {
                accepted.add(jar);
                jar.types().forEach(type -> givers.put(type.id(), jar));
            }
        }
        return new Round(accepted, refusals, waiting);
    }

    private static Optional<Refusal> whyRefused(DirectoryJar jar, Map<String, DirectoryJar> givers, Set<DirectoryJar> kept,
                                                Set<String> earTypes, Unfinished unfinished) {
        if (jar.types().isEmpty()) {
            return Refusal.of(jar.problems().isEmpty() ? "it has no task type plugin"
                    : "it does not load whole (below), and a jar runs whole or not at all");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (TaskType<?> type : jar.types()) {
            if (!ids.add(type.id())) {
                return Refusal.of("it gives task type " + type.id() + " twice");
            }
            if (earTypes.contains(type.id())) {
                return Refusal.of("task type " + type.id() + " is the EAR's; a plugin in the EAR is replaced by deploying the EAR");
            }
        }
        // before the clash with a jar that stays: that it cannot run the tasks is why it must not replace that jar
        for (TaskType<?> type : jar.types()) {
            for (Map.Entry<Integer, Long> version : sorted(unfinished.versionsOf(type.id()))) {
                Optional<String> why;
                try {
                    why = PayloadMigrations.whyNot(type, version.getKey());
                } catch (RuntimeException | LinkageError e) { // the plugin's migrationFrom: its bug, not the directory's
                    return Refusal.of("its task type " + type.id() + " failed to say how it runs tasks of version "
                            + version.getKey() + ": " + e);
                }
                if (why.isPresent()) {
                    return Optional.of(new Refusal(tasks(type.id(), version.getKey(), version.getValue(), unfinished)
                            + " cannot run on it: " + why.get() + currentlyBy(givers.get(type.id())), true));
                }
            }
        }
        // a clash with a jar that stays is for good; one with a jar kept for its tasks ends with them
        Optional<Refusal> clash = Optional.empty();
        for (TaskType<?> type : jar.types()) {
            DirectoryJar other = givers.get(type.id());
            if (other != null && !kept.contains(other)) {
                return Refusal.of("task type " + type.id() + " is given by " + other.name() + " too: one jar per task type");
            }
            if (other != null && clash.isEmpty()) {
                clash = Optional.of(new Refusal("task type " + type.id() + " is given by " + other.name()
                        + ", which was taken out but stays loaded until its unfinished tasks end", true));
            }
        }
        if (clash.isPresent()) {
            return clash;
        }
        return Optional.empty();
    }

    private static String currentlyBy(DirectoryJar giver) {
        return giver == null ? "" : "; " + giver.name() + " stays loaded";
    }

    /**
     * The types of the jars kept that no jar comes to give, loaded now or once tasks end: a jar
     * refused for good (it gives an EAR type, or one another jar that stays gives) holds no type open.
     */
    private static Map<String, String> closed(Set<DirectoryJar> kept, List<DirectoryJar> coming) {
        Map<String, String> closed = new HashMap<>();
        for (DirectoryJar jar : kept) {
            for (TaskType<?> type : jar.types()) {
                if (coming.stream().noneMatch(other -> gives(other, type.id()))) {
                    closed.put(type.id(), "its plugin jar " + jar.name() + " was taken out of the plugin directory and runs "
                            + "only the tasks it has");
                }
            }
        }
        return closed;
    }

    private static String whyKept(DirectoryJar jar, Unfinished unfinished) {
        List<String> held = new ArrayList<>();
        for (TaskType<?> type : jar.types()) {
            sorted(unfinished.versionsOf(type.id())).forEach(version ->
                    held.add(tasks(type.id(), version.getKey(), version.getValue(), unfinished)));
        }
        return jar.name() + " was taken out of the plugin directory but stays loaded: " + String.join("; ", held)
                + ", which no plugin left could run; it is taken out once they end (finished or cancelled), and its types "
                + "no other jar gives take no new tasks meanwhile. A restart of "
                + "the server before then loads only what the directory holds: put the jar back (under any name) to keep it";
    }

    private static String tasks(String taskType, int version, long count, Unfinished unfinished) {
        List<String> ids = unfinished.firstIds(taskType, version);
        return count + " unfinished task(s) of " + taskType + " version " + version
                + (ids.isEmpty() ? "" : " (" + String.join(", ", ids) + (count > ids.size() ? ", ..." : "") + ")");
    }

    private static boolean gives(DirectoryJar jar, String taskType) {
        return jar.types().stream().anyMatch(type -> type.id().equals(taskType));
    }

    private static List<Map.Entry<Integer, Long>> sorted(Map<Integer, Long> versions) {
        return versions.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList();
    }

    private static Set<String> identities(List<DirectoryJar> jars) {
        return jars.stream().map(DirectoryJar::identity).collect(Collectors.toSet());
    }
}
