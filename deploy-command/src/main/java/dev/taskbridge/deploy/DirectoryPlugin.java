package dev.taskbridge.deploy;

import java.util.List;
import java.util.Map;

/**
 * A plugin jar for the server's plugin directory, as the EAR's engine read it.
 *
 * @param name     the jar's file name
 * @param checksum as the server lists the jar's plugins once it runs them ({@code GET /api/admin/engine})
 * @param types    its task types by id: none when it does not load whole
 * @param problems why it does not load whole, one line each, each naming the jar
 */
record DirectoryPlugin(String name, String checksum, Map<String, PluginType> types, List<String> problems) {

    DirectoryPlugin {
        types = Map.copyOf(types);
        problems = List.copyOf(problems);
    }
}
