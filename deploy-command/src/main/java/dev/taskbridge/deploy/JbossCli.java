package dev.taskbridge.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The server installation's own management client, {@code bin/jboss-cli.sh}: the deploy goes
 * through the management API as an operator's would, signed in as the local user of the server's
 * machine (the CLI's silent local authentication: no management password to hand around), with
 * WildFly's own handling of a deployment the
 * deployment scanner made (it becomes a managed one, and the scanner leaves its file alone).
 */
final class JbossCli {

    private final Path script;
    private final String controller;

    JbossCli(Path wildflyHome, String controller) {
        this.script = wildflyHome.resolve("bin/jboss-cli.sh");
        this.controller = controller;
        if (!Files.isExecutable(script)) {
            throw new IllegalArgumentException(script + " is missing or not executable: --wildfly-home must name the server's installation");
        }
    }

    /**
     * Replaces (or adds) the deployment {@code name} with the EAR; the server drains the old one
     * first (design note 025), and its engine resumes the unfinished tasks with the new one.
     *
     * @return the command's exit status: 0 when WildFly deployed it
     */
    int deploy(Path ear, String name) throws IOException, InterruptedException {
        List<String> command = List.of(script.toString(), "--connect", "--controller=" + controller,
                "--command=deploy " + quoted(ear.toAbsolutePath().toString()) + " --name=" + name + " --force");
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    /** A path as one argument of a CLI command, spaces and all. */
    private static String quoted(String path) {
        return path.contains(" ") ? "\"" + path.replace("\"", "\\\"") + "\"" : path;
    }
}
