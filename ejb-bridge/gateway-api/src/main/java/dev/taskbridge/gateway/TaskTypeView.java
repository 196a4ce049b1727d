package dev.taskbridge.gateway;

import java.util.List;

/**
 * A task type the engine runs.
 *
 * @param slots       its worker slots: its tasks are spread over them by id (or order key)
 * @param tasksAtOncePerSlot how many of its tasks each slot runs at once: the plugin's figure, or the
 *                    operator's ({@code taskbridge.concurrent-tasks-per-slot.<type>})
 * @param pluginClass the class that implements it, so operators know which jar is in charge: for
 *                    admins only, never shown to clerks
 * @param listsErrors whether its tasks' errors can be read page by page ({@link TaskGateway#errors})
 * @param rollsBack   whether a supervisor can roll its tasks back ({@link TaskGateway#rollBack})
 * @param exports     the files its results can be downloaded as
 * @param form        what it takes, as the pages ask for it; null when its plugin's form was refused
 *                    (the server's log says why), and the pages do not offer it
 * @param paused      its pause, or null when its tasks run
 * @param closed      why it takes no new tasks (its plugin is being taken out: it runs the tasks it
 *                    has), or null when it takes them
 */
public record TaskTypeView(String id, int version, int slots, int tasksAtOncePerSlot, String pluginClass, boolean listsErrors,
                           boolean rollsBack, List<ExportView> exports, TaskFormView form, TypePauseView paused, String closed) {

    public TaskTypeView {
        exports = List.copyOf(exports);
    }
}
