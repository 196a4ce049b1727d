package dev.taskbridge.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
}
