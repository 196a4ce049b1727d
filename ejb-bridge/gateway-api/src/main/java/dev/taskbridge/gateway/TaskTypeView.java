package dev.taskbridge.gateway;

import java.util.List;

/**
 * A task type the engine runs.
 *
 * @param pluginClass the class that implements it, so operators know which jar is in charge
 * @param exports     the files its results can be downloaded as
 */
public record TaskTypeView(String id, int version, int slots, String pluginClass, List<ExportView> exports) {

    public TaskTypeView {
        exports = List.copyOf(exports);
    }
}
