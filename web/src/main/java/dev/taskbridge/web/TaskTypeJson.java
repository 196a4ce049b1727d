package dev.taskbridge.web;

import java.util.List;

import dev.taskbridge.gateway.ExportView;
import dev.taskbridge.gateway.TaskFormView;
import dev.taskbridge.gateway.TaskTypeView;
import dev.taskbridge.gateway.TypePauseView;

/**
 * A task type as the REST API shows it: the plugin class behind it only to admins, who run the
 * plugins (the README's roles); to everyone else a class name says nothing, or too much.
 *
 * @param tasksAtOncePerSlot how many of its tasks each slot runs at once (1: one after another)
 * @param pluginClass null unless the caller is an admin
 * @param listsErrors whether its tasks' errors can be read page by page ({@code GET /api/tasks/{id}/errors})
 * @param rollsBack   whether a supervisor can roll its tasks back ({@code POST /api/tasks/{id}/rollback})
 * @param form        what it takes: the kinds of file, the options a person sets (with labels, allowed
 *                    values and defaults), and whether a file is checked before it is confirmed; null
 *                    when the plugin's form was refused (its tasks are submitted over REST as before)
 * @param paused      since when it is paused (and, to supervisors and admins, by whom), or null when its
 *                    tasks run: a paused type's tasks are taken and wait ({@code POST /api/task-types/{id}/resume}
 *                    lets them run)
 * @param closed      why it takes no new tasks, or null when it takes them: its plugin is being taken
 *                    out of the server and runs only the tasks it has (a submission is answered 409)
 */
public record TaskTypeJson(String id, int version, int slots, int tasksAtOncePerSlot, String pluginClass, boolean listsErrors,
                           boolean rollsBack, List<ExportView> exports, TaskFormView form, TypePauseView paused, String closed) {

    /**
     * @param withPluginClass for admins
     * @param withWhoPaused   for supervisors and admins: clerks learn that a type is paused and
     *                        since when, never the names of other users
     */
    static TaskTypeJson of(TaskTypeView type, boolean withPluginClass, boolean withWhoPaused) {
        TypePauseView paused = type.paused() == null || withWhoPaused ? type.paused() : new TypePauseView(null, type.paused().at());
        return new TaskTypeJson(type.id(), type.version(), type.slots(), type.tasksAtOncePerSlot(), withPluginClass ? type.pluginClass() : null,
                type.listsErrors(), type.rollsBack(), type.exports(), type.form(), paused, type.closed());
    }
}
