package dev.taskbridge.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.taskbridge.plugin.PayloadMigration;
import dev.taskbridge.plugin.TaskType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * What the plugin directory may do with the jars an operator puts in and takes out (note 043):
 * examples of each refusal, and a model test that mixes jars put in, replaced and taken out with
 * tasks submitted and ended, checking after every look that no task is left without a plugin that
 * can run it, that no type is given twice, and that whatever differs from the directory is said.
 */
class PluginSwapTest {

    private static final Set<String> EAR = Set.of("ear.type");

    @Test
    void aNewJarIsLoadedAndOneTakenOutWithNothingUnfinishedIsUnloaded() {
        DirectoryJar rows = jar("rows-1.jar", type("dir.rows", 1));

        PluginSwap.Decision loaded = PluginSwap.decide(List.of(), List.of(rows), EAR, unfinished(Map.of()));
        assertThat(loaded.active()).containsExactly(rows);
        assertThat(loaded.problems()).isEmpty();

        PluginSwap.Decision removed = PluginSwap.decide(List.of(rows), List.of(), EAR, unfinished(Map.of()));
        assertThat(removed.active()).isEmpty();
        assertThat(removed.changes(List.of(rows))).isTrue();
    }

    @Test
    void aJarTakenOutWhileItsTasksAreUnfinishedStaysLoadedAndTheProblemNamesTheTasks() {
        DirectoryJar rows = jar("rows-1.jar", type("dir.rows", 1));

        PluginSwap.Decision decision = PluginSwap.decide(List.of(rows), List.of(), EAR,
                unfinished(Map.of("dir.rows", Map.of(1, 7L))));

        assertThat(decision.active()).containsExactly(rows);
        assertThat(decision.waitsForTasks()).isTrue();
        assertThat(decision.problems()).singleElement().asString()
                .contains("rows-1.jar was taken out of the plugin directory but stays loaded")
                .contains("7 unfinished task(s) of dir.rows version 1 (dir.rows-1-0, dir.rows-1-1, dir.rows-1-2, dir.rows-1-3, dir.rows-1-4, ...)");
        assertThat(decision.closedTypes()).as("new tasks would keep it for good").containsOnlyKeys("dir.rows");
        assertThat(decision.closedTypes().get("dir.rows")).isEqualTo("its plugin jar rows-1.jar was taken out of the plugin "
                + "directory and runs only the tasks it has");
    }

    @Test
    void aNewerVersionWithAMigrationReplacesTheOlderWhileItsTasksAreUnfinished() {
        DirectoryJar v1 = jar("rows-1.jar", type("dir.rows", 1));
        DirectoryJar v2 = jar("rows-2.jar", type("dir.rows", 2, 1));

        PluginSwap.Decision decision = PluginSwap.decide(List.of(v1), List.of(v2), EAR,
                unfinished(Map.of("dir.rows", Map.of(1, 3L))));

        assertThat(decision.active()).containsExactly(v2);
        assertThat(decision.problems()).isEmpty();
    }

    @Test
    void aNewerVersionWithoutTheMigrationIsRefusedWithTheTasksAndTheOlderStays() {
        DirectoryJar v2 = jar("rows-2.jar", type("dir.rows", 2, 1));
        DirectoryJar v3 = jar("rows-3.jar", type("dir.rows", 3)); // drops a field, no migration from 2

        PluginSwap.Decision decision = PluginSwap.decide(List.of(v2), List.of(v3), EAR,
                unfinished(Map.of("dir.rows", Map.of(2, 2L))));

        assertThat(decision.active()).containsExactly(v2);
        assertThat(decision.problems()).anySatisfy(problem -> assertThat(problem)
                .startsWith("rows-3.jar is not loaded: 2 unfinished task(s) of dir.rows version 2 (dir.rows-2-0, dir.rows-2-1)")
                .contains("no migration from version 2"));
        assertThat(decision.problems()).anySatisfy(problem -> assertThat(problem).contains("rows-2.jar was taken out"));
        assertThat(decision.closedTypes()).as("replaced, not taken out: the type takes new tasks").isEmpty();
    }

    @Test
    void aJarThatGivesAnEarTypeOrATypeAnotherJarGivesIsRefused() {
        DirectoryJar rows = jar("a-rows.jar", type("dir.rows", 1));
        DirectoryJar twin = jar("b-rows.jar", type("dir.rows", 1));
        DirectoryJar ear = jar("ear-copy.jar", type("ear.type", 1));

        PluginSwap.Decision decision = PluginSwap.decide(List.of(), List.of(rows, twin, ear), EAR, unfinished(Map.of()));

        assertThat(decision.active()).containsExactly(rows);
        assertThat(decision.waitsForTasks()).as("no task ending changes a clash").isFalse();
        assertThat(decision.problems()).containsExactlyInAnyOrder(
                "b-rows.jar is not loaded: task type dir.rows is given by a-rows.jar too: one jar per task type",
                "ear-copy.jar is not loaded: task type ear.type is the EAR's; a plugin in the EAR is replaced by deploying the EAR");
    }

    @Test
    void aJarKeptForOneOfItsTypesKeepsAReplacementOfItsOtherTypeOut() {
        DirectoryJar both = jar("both.jar", type("dir.a", 1), type("dir.b", 1));
        DirectoryJar onlyA = jar("only-a.jar", type("dir.a", 2, 1));

        // dir.b has tasks no jar left can run: both.jar stays, so only-a.jar, which gives dir.a too, cannot load
        PluginSwap.Decision decision = PluginSwap.decide(List.of(both), List.of(onlyA), EAR,
                unfinished(Map.of("dir.b", Map.of(1, 1L))));

        assertThat(decision.active()).containsExactly(both);
        assertThat(decision.problems()).anySatisfy(problem -> assertThat(problem)
                .isEqualTo("only-a.jar is not loaded: task type dir.a is given by both.jar, which was taken out but stays loaded "
                        + "until its unfinished tasks end"));
        assertThat(decision.closedTypes()).as("dir.a has a jar in the directory; dir.b has none").containsOnlyKeys("dir.b");
    }

    @Test
    void aTypeTakenOutStaysClosedWhenTheJarThatWouldGiveItIsRefusedForGood() {
        DirectoryJar rows = jar("rows-1.jar", type("dir.rows", 1));
        DirectoryJar earToo = jar("rows-ear.jar", type("dir.rows", 2, 1), type("ear.type", 1)); // never loads: an EAR type

        PluginSwap.Decision decision = PluginSwap.decide(List.of(rows), List.of(earToo), EAR,
                unfinished(Map.of("dir.rows", Map.of(1, 2L))));

        assertThat(decision.active()).containsExactly(rows);
        assertThat(decision.closedTypes()).as("no jar comes to give it: new tasks would keep rows-1.jar for good")
                .containsOnlyKeys("dir.rows");
    }

    // --- the model ---

    /** One thing an operator or a clerk does: a jar put in (or replaced, by name), taken out, tasks submitted or ended; then a look. */
    sealed interface Step permits PutJar, TakeOut, Submit, EndAll {
    }

    record PutJar(String name, String typeId, int version, boolean migrates) implements Step {
    }

    record TakeOut(String name) implements Step {
    }

    record Submit(String typeId) implements Step {
    }

    record EndAll(String typeId) implements Step {
    }

    @Property(tries = 300)
    void noLookLeavesATaskWithoutAPluginThatCanRunItAndWhateverDiffersFromTheDirectoryIsSaid(
            @ForAll("steps") List<Step> steps) {
        Map<String, DirectoryJar> directory = new TreeMap<>();
        List<DirectoryJar> active = new ArrayList<>();
        Map<String, Map<Integer, Long>> unfinished = new HashMap<>();
        Map<String, String> closed = Map.of();
        int made = 0;
        for (Step step : steps) {
            if (step instanceof PutJar put) {
                directory.put(put.name(), jar(put.name() + "#" + made++, put.name(),
                        type(put.typeId(), put.version(), put.migrates() ? new int[] {put.version() - 1} : new int[0])));
            } else if (step instanceof TakeOut out) {
                directory.remove(out.name());
            } else if (step instanceof Submit submit && !closed.containsKey(submit.typeId())) {
                giver(active, submit.typeId()).ifPresent(type -> unfinished
                        .computeIfAbsent(type.id(), any -> new HashMap<>()).merge(type.version(), 1L, Long::sum));
            } else if (step instanceof EndAll end) {
                unfinished.remove(end.typeId());
            }
            Map<String, Boolean> runnableBefore = new HashMap<>();
            unfinished.keySet().forEach(type -> runnableBefore.put(type, canRunAll(active, type, unfinished)));

            List<DirectoryJar> present = List.copyOf(directory.values());
            PluginSwap.Decision decision = PluginSwap.decide(active, present, EAR, unfinished(unfinished));
            List<DirectoryJar> before = List.copyOf(active);
            active.clear();
            active.addAll(decision.active());
            closed = decision.closedTypes();

            Map<String, Long> givers = active.stream().flatMap(jar -> jar.types().stream())
                    .collect(Collectors.groupingBy(TaskType::id, Collectors.counting()));
            assertThat(givers).as("types given by more than one jar, after %s", step).allSatisfy((type, jars) -> assertThat(jars).isOne());
            assertThat(givers.keySet()).as("EAR types given by the directory").doesNotContainAnyElementsOf(EAR);
            runnableBefore.forEach((type, runnable) -> {
                if (runnable) {
                    assertThat(canRunAll(active, type, unfinished)).as("%s's unfinished tasks %s lost their plugin at %s; active %s",
                            type, unfinished.get(type), step, active).isTrue();
                }
            });
            assertThat(active).as("active jars come from what ran or from the directory")
                    .allMatch(jar -> before.contains(jar) || present.contains(jar));
            for (DirectoryJar jar : present) {
                if (!active.contains(jar)) {
                    assertThat(decision.problems()).as("why %s does not run", jar.name()).anyMatch(problem -> problem.contains(jar.name()));
                }
            }
            for (DirectoryJar jar : active) {
                if (!present.contains(jar)) {
                    assertThat(decision.problems()).as("why %s still runs", jar.name()).anyMatch(problem -> problem.contains(jar.name()));
                }
            }
            // what the directory would run were nothing unfinished: a type it gives then is being upgraded, not taken out
            Set<String> givenOnceTasksEnd = PluginSwap.decide(before, present, EAR, unfinished(Map.of())).active().stream()
                    .filter(present::contains).flatMap(jar -> jar.types().stream()).map(TaskType::id).collect(Collectors.toSet());
            Set<String> takenOut = active.stream().filter(jar -> !present.contains(jar)).flatMap(jar -> jar.types().stream())
                    .map(TaskType::id).filter(type -> !givenOnceTasksEnd.contains(type)).collect(Collectors.toSet());
            assertThat(closed.keySet()).as("closed to new tasks after %s: the types of jars taken out that the directory does not come to give", step)
                    .containsExactlyInAnyOrderElementsOf(takenOut);
            if (!decision.waitsForTasks()) {
                // settled: were every task to end now, the same directory would be decided the same way
                PluginSwap.Decision withoutTasks = PluginSwap.decide(active, present, EAR, unfinished(Map.of()));
                assertThat(withoutTasks.active()).as("a decision that waits for no task, after %s", step)
                        .containsExactlyInAnyOrderElementsOf(active);
            }
            if (unfinished.values().stream().allMatch(Map::isEmpty) && distinctTypes(present)) {
                assertThat(active).as("with nothing unfinished and no clash, the directory as it is").containsExactlyInAnyOrderElementsOf(present);
            }
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<String> names = Arbitraries.of("a.jar", "b.jar", "c.jar");
        Arbitrary<String> types = Arbitraries.of("dir.x", "dir.y", "ear.type");
        Arbitrary<Step> put = Combinators.combine(names, types, Arbitraries.integers().between(1, 3), Arbitraries.of(true, false))
                .as(PutJar::new);
        return Arbitraries.oneOf(put, names.map(TakeOut::new), types.map(Submit::new), types.map(EndAll::new))
                .list().ofMinSize(1).ofMaxSize(25);
    }

    private static Optional<TaskType<?>> giver(List<DirectoryJar> active, String typeId) {
        return active.stream().flatMap(jar -> jar.types().stream()).filter(type -> type.id().equals(typeId)).findFirst();
    }

    private static boolean canRunAll(List<DirectoryJar> active, String typeId, Map<String, Map<Integer, Long>> unfinished) {
        Optional<TaskType<?>> type = giver(active, typeId);
        return type.isPresent() && unfinished.getOrDefault(typeId, Map.of()).keySet().stream()
                .allMatch(version -> PayloadMigrations.canRun(type.get(), version));
    }

    private static boolean distinctTypes(List<DirectoryJar> jars) {
        List<String> ids = jars.stream().flatMap(jar -> jar.types().stream()).map(TaskType::id).toList();
        return ids.stream().distinct().count() == ids.size() && ids.stream().noneMatch(EAR::contains);
    }

    private static PluginSwap.Unfinished unfinished(Map<String, Map<Integer, Long>> counts) {
        Map<String, Map<Integer, Long>> copy = new HashMap<>();
        counts.forEach((type, versions) -> {
            Map<Integer, Long> kept = new LinkedHashMap<>(versions);
            kept.values().removeIf(count -> count == 0);
            if (!kept.isEmpty()) {
                copy.put(type, kept);
            }
        });
        return new PluginSwap.Unfinished() {
            @Override
            public Map<Integer, Long> versionsOf(String taskType) {
                return copy.getOrDefault(taskType, Map.of());
            }

            @Override
            public List<String> firstIds(String taskType, int version) {
                long count = versionsOf(taskType).getOrDefault(version, 0L);
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < Math.min(count, PluginSwap.IDS_SHOWN); i++) {
                    ids.add(taskType + "-" + version + "-" + i);
                }
                return ids;
            }
        };
    }

    private static DirectoryJar jar(String name, TaskType<?>... types) {
        return jar(name, name, types);
    }

    private static DirectoryJar jar(String checksum, String name, TaskType<?>... types) {
        return DirectoryJar.of(name, checksum, List.of(types));
    }

    /** Version {@code version} of a type, with a migration from each of {@code migratesFrom} to the next version. */
    private static TaskType<String> type(String id, int version, int... migratesFrom) {
        Map<Integer, PayloadMigration> migrations = new HashMap<>();
        java.util.Arrays.stream(migratesFrom).forEach(from -> migrations.put(from, payload -> payload));
        return TestPlugins.versioned(id, version, migrations);
    }
}
