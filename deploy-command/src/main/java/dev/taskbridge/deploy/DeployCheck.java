package dev.taskbridge.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether an EAR can take over a server's unfinished tasks: the same rule the EAR's engine applies
 * at start (design note 028), applied before the deploy instead of after it. A type whose plugin
 * the EAR lacks leaves its tasks waiting too, so that is a refusal as well; and a plugin the
 * engine would skip (a class that does not load, a bad id, two plugins with one id) cannot be
 * vouched for.
 */
final class DeployCheck {

    private DeployCheck() {
    }

    /**
     * @param types        the EAR's task types by id
     * @param problems     what the EAR's engine would report about its plugins at start: those it
     *                     would skip, each with why
     * @param unfinished   the server's tasks not final yet
     * @return why the EAR must not be deployed, one line per reason; empty when it may
     */
    static List<String> refusals(Map<String, PluginType> types, List<String> problems, List<Unfinished> unfinished) {
        List<String> refusals = new ArrayList<>();
        // a plugin the engine would skip cannot be vouched for, whatever its type's tasks are
        problems.forEach(problem -> refusals.add("the EAR's engine would report at start: " + problem));
        for (Unfinished tasks : unfinished) {
            PluginType type = types.get(tasks.taskType());
            if (type == null) {
                refusals.add(tasks.taskType() + ": the EAR has no plugin for this type; its " + tasks.tasks()
                        + " unfinished task(s) of version " + tasks.version() + " would wait for one: " + tasks.ids());
                continue;
            }
            Optional<String> why = type.whyNot().apply(tasks.version());
            why.ifPresent(reason -> refusals.add(tasks.taskType() + ": " + reason + "; the server has " + tasks.tasks()
                    + " unfinished task(s) of version " + tasks.version() + ": " + tasks.ids()));
        }
        return refusals;
    }

    /**
     * Whether a plugin jar may go into the server's plugin directory: the checks the server makes
     * when it reads the directory (note 043), made before the jar is there.
     *
     * @param earTypes   the task types the EAR gives: a jar never gives one
     * @param unfinished the server's tasks not final yet; only the jar's types' are asked about
     * @return why the jar must not be deployed, one line per reason; empty when it may
     */
    static List<String> pluginRefusals(DirectoryPlugin jar, Set<String> earTypes, List<Unfinished> unfinished) {
        List<String> refusals = new ArrayList<>();
        // a jar runs whole or not at all: one plugin that does not load keeps the others out too
        jar.problems().forEach(problem -> refusals.add("the server would not load it: " + problem));
        if (jar.types().isEmpty() && jar.problems().isEmpty()) {
            refusals.add(jar.name() + " gives no task type the server would run (its services file names none of its own classes)");
        }
        jar.types().keySet().stream().filter(earTypes::contains).sorted().forEach(id -> refusals.add(id
                + ": the EAR gives this type; a plugin in the EAR is replaced by deploying the EAR"));
        refusals.addAll(refusals(jar.types(), List.of(), unfinished.stream()
                .filter(tasks -> jar.types().containsKey(tasks.taskType())).toList()));
        return refusals;
    }
}
