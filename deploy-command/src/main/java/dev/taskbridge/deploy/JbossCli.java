package dev.taskbridge.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server installation's own management client, {@code bin/jboss-cli.sh}: the deploy goes
 * through the management API as an operator's would, signed in as the local user of the server's
 * machine (the CLI's silent local authentication: no management password to hand around), with
 * WildFly's own handling of a deployment the
 * deployment scanner made (it becomes a managed one, and the scanner leaves its file alone).
 */
final class JbossCli {

    /** Longer than a drain (30 s by default) and a deployment's start (under a minute here) together. */
    static final int DEPLOY_TIMEOUT_MINUTES = 10;

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
        // no input: where local authentication fails the CLI would wait for a user name that never comes
        Process cli = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (!cli.waitFor(DEPLOY_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            cli.destroyForcibly();
            throw new IllegalStateException("jboss-cli.sh did not end within " + DEPLOY_TIMEOUT_MINUTES + " minutes; see the server's log");
        }
        return cli.exitValue();
    }

    /**
     * A path as one argument of a CLI command, spaces, quotes and all. (The CLI takes quotes off a
     * path, not off a name: {@code --name} keeps them, so a name is checked instead, in {@link DeployCommand}.)
     */
    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
