package dev.taskbridge.deploy;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code taskbridge-deploy.sh [options] EAR}: checks that the EAR's plugins can run every task the
 * running server has not finished, and only then deploys it through the server's management API
 * (design note 041). The server checks the same at its start, but by then the old version is gone
 * and the tasks wait for an operator; this tells the operator before anything is replaced.
 * {@code taskbridge-deploy.sh [options] --ear EAR PLUGIN.jar} does the same for a plugin jar and
 * the server's plugin directory ({@link PluginDeploy}).
 *
 * <p>Exit status: 0 deployed (or, with {@code --check-only}, the check passed); 2 wrong use, or the
 * server or the EAR could not be read; 3 the check refused the EAR, nothing deployed; 4 WildFly
 * did not deploy it (the server did not load the plugin).
 */
public final class DeployCommand {

    static final int DEPLOYED = 0;
    static final int CANNOT_CHECK = 2;
    static final int REFUSED = 3;
    static final int NOT_DEPLOYED = 4;

    private static final String USAGE = """
            usage: taskbridge-deploy.sh [options] EAR
                   taskbridge-deploy.sh [options] --ear EAR PLUGIN.jar
              --wildfly-home DIR   the server's WildFly installation (default: $JBOSS_HOME); its bin/jboss-cli.sh
                                   deploys, and its modules/ give the plugins the Jakarta APIs they name
              --url URL            the application's root (default http://127.0.0.1:8080/taskbridge)
              --controller H:P     the management interface (default 127.0.0.1:9990)
              --name NAME          the deployment to replace (default taskbridge.ear)
              --check-only         check, and deploy nothing
            A plugin jar (a file named *.jar) goes into the server's plugin directory:
              --ear EAR            the EAR the server runs: its engine judges the plugin as the server will
              --plugin-directory DIR  the server's taskbridge.plugins.directory
                                   (default: standalone/taskbridge-plugins in the installation)
              --wait SECONDS       how long to wait for the server to load it (default 120)
            The check signs in as TASKBRIDGE_DEPLOY_USER (default admin) with TASKBRIDGE_DEPLOY_PASSWORD.""";

    private static final java.util.regex.Pattern DEPLOYMENT_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]+");

    private DeployCommand() {
    }

    /**
     * What the command was asked to do.
     *
     * @param ear    the EAR to deploy, or, for a plugin, the EAR the server runs
     * @param plugin the plugin jar to deploy, or null to deploy the EAR
     */
    record Options(Path ear, Path wildflyHome, URI url, String controller, String name, boolean checkOnly, Path plugin,
                   Path pluginDirectory, Duration waitFor) {

        static Options parse(List<String> args, Map<String, String> environment) {
            Path file = null;
            Path earOption = null;
            String home = environment.get("JBOSS_HOME");
            URI url = URI.create("http://127.0.0.1:8080/taskbridge");
            String controller = "127.0.0.1:9990";
            String name = "taskbridge.ear";
            boolean checkOnly = false;
            Path pluginDirectory = null;
            Duration wait = Duration.ofSeconds(120);
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                switch (arg) {
                    case "--wildfly-home" -> home = value(args, ++i, arg);
                    case "--url" -> url = URI.create(value(args, ++i, arg));
                    case "--controller" -> controller = value(args, ++i, arg);
                    case "--name" -> name = value(args, ++i, arg);
                    case "--check-only" -> checkOnly = true;
                    case "--ear" -> earOption = Path.of(value(args, ++i, arg));
                    case "--plugin-directory" -> pluginDirectory = Path.of(value(args, ++i, arg));
                    case "--wait" -> wait = seconds(value(args, ++i, arg));
                    default -> {
                        if (arg.startsWith("-") || file != null) {
                            throw new IllegalArgumentException("unknown option or second file: " + arg);
                        }
                        file = Path.of(arg);
                    }
                }
            }
            if (file == null) {
                throw new IllegalArgumentException("name the EAR or plugin jar to deploy");
            }
            boolean plugin = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jar");
            Path ear = plugin ? earOption : file;
            if (plugin && ear == null) {
                throw new IllegalArgumentException("give --ear: the EAR the server runs, whose engine judges " + file);
            }
            if (!plugin && (earOption != null || pluginDirectory != null || args.contains("--wait"))) {
                throw new IllegalArgumentException("--ear, --plugin-directory and --wait are for a plugin jar; " + file
                        + " is deployed as the EAR");
            }
            for (Path each : plugin ? List.of(file, ear) : List.of(file)) {
                if (!Files.isRegularFile(each)) {
                    throw new IllegalArgumentException(each + ": no such file");
                }
            }
            if (!DEPLOYMENT_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("--name " + name + ": a deployment's name is letters, digits, dots, dashes and underscores");
            }
            if (home == null || home.isBlank()) {
                throw new IllegalArgumentException("give --wildfly-home (or JBOSS_HOME): the server's installation");
            }
            if (plugin && pluginDirectory == null) {
                pluginDirectory = Path.of(home, "standalone", "taskbridge-plugins"); // the server's default (note 043)
            }
            return new Options(ear, Path.of(home), url, controller, name, checkOnly, plugin ? file : null, pluginDirectory, wait);
        }

        private static Duration seconds(String value) {
            try {
                long seconds = Long.parseLong(value);
                if (seconds >= 1 && seconds <= 3600) {
                    return Duration.ofSeconds(seconds);
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException("--wait " + value + ": seconds, from 1 to 3600");
        }

        private static String value(List<String> args, int i, String option) {
            if (i >= args.size()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args.get(i);
        }
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(List.of(args), System.getenv(), System.out, System.err));
    }

    static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        if (args.contains("--help") || args.contains("-h")) {
            out.println(USAGE);
            return DEPLOYED;
        }
        Options options;
        try {
            options = Options.parse(args, environment);
        } catch (IllegalArgumentException e) {
            err.println("taskbridge-deploy: " + e.getMessage());
            err.println(USAGE);
            return CANNOT_CHECK;
        }
        if (options.plugin() != null) {
            return PluginDeploy.run(options, environment, out, err);
        }
        List<String> refusals;
        JbossCli cli;
        try {
            // the CLI first: a deploy that cannot happen is said before a check that takes a while
            cli = options.checkOnly() ? null : new JbossCli(options.wildflyHome(), options.controller());
            refusals = check(options, environment, out, err);
        } catch (IOException | RuntimeException e) {
            err.println("taskbridge-deploy: " + options.ear() + " is not deployed, as it could not be checked: " + e.getMessage());
            return CANNOT_CHECK;
        }
        if (!refusals.isEmpty()) {
            err.println("taskbridge-deploy: " + options.ear() + " is not deployed: it cannot run what the server has not finished.");
            refusals.forEach(refusal -> err.println("  - " + refusal));
            err.println("Deploy a version that can run them (a plugin's migrationFrom, design note 028), or let them finish first.");
            return REFUSED;
        }
        if (cli == null) {
            out.println("taskbridge-deploy: " + options.ear() + " can run every unfinished task of the server (--check-only: nothing deployed)");
            return DEPLOYED;
        }
        out.println("taskbridge-deploy: deploying " + options.ear() + " as " + options.name() + " through " + options.controller());
        int status;
        try {
            status = cli.deploy(options.ear(), options.name());
        } catch (IOException | IllegalStateException e) {
            err.println("taskbridge-deploy: WildFly did not deploy " + options.ear() + ": " + e.getMessage());
            return NOT_DEPLOYED;
        }
        if (status != 0) {
            err.println("taskbridge-deploy: WildFly did not deploy " + options.ear() + " (jboss-cli exit status " + status + ")");
            return NOT_DEPLOYED;
        }
        out.println("taskbridge-deploy: deployed " + options.ear());
        return DEPLOYED;
    }

    /** The server's API as the admin the environment names; warns when the password would cross a network in clear. */
    static ServerApi serverApi(Options options, Map<String, String> environment, PrintStream err) {
        String password = environment.get("TASKBRIDGE_DEPLOY_PASSWORD");
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("set TASKBRIDGE_DEPLOY_PASSWORD (and TASKBRIDGE_DEPLOY_USER, default admin): the check reads the server as an admin");
        }
        String host = String.valueOf(options.url().getHost());
        if ("http".equals(options.url().getScheme()) && !List.of("127.0.0.1", "localhost", "[::1]", "::1").contains(host)) {
            err.println("taskbridge-deploy: warning: the admin's password goes to " + host + " over plain http; use https");
        }
        return new ServerApi(options.url(), environment.getOrDefault("TASKBRIDGE_DEPLOY_USER", "admin"), password);
    }

    /** The EAR's task types against the server's unfinished tasks: why not to deploy, or nothing. */
    private static List<String> check(Options options, Map<String, String> environment, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        List<Unfinished> unfinished = serverApi(options, environment, err).unfinished();
        try (EarPlugins plugins = EarPlugins.read(options.ear(), options.wildflyHome())) {
            List<String> lines = new ArrayList<>();
            plugins.types().values().forEach(type -> lines.add(type.id() + " version " + type.version()));
            out.println("taskbridge-deploy: " + options.ear() + " provides " + (lines.isEmpty() ? "no task type" : String.join(", ", lines)));
            out.println("taskbridge-deploy: the server has " + (unfinished.isEmpty() ? "no unfinished task"
                    : String.join(", ", unfinished.stream().map(u -> u.tasks() + " of " + u.taskType() + " version " + u.version()).toList())
                    + " unfinished"));
            return DeployCheck.refusals(plugins.types(), plugins.problems(), unfinished);
        }
    }
}
