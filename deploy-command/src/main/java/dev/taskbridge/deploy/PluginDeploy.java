package dev.taskbridge.deploy;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code taskbridge-deploy.sh --ear EAR PLUGIN.jar}: the checks the server makes when it reads its
 * plugin directory (note 043), made before the jar is there, with the engine of the EAR the
 * server runs; then the jar is moved in (replacing the file of the jar that gives its types, as
 * an operator replaces a version by another) and the command waits until the server runs it. If
 * the server refuses it after all (a task it cannot run was submitted since the check), or does
 * not run it in time (a directory it does not read), the file that was there is put back, so that
 * the directory again holds what runs.
 */
final class PluginDeploy {

    private static final long POLL_MILLIS = 500;

    private PluginDeploy() {
    }

    static int run(DeployCommand.Options options, Map<String, String> environment, PrintStream out, PrintStream err)
            throws InterruptedException {
        Path plugin = options.plugin();
        ServerApi server;
        List<String> refusals;
        String target;
        DirectoryPlugin read;
        try {
            if (!Files.isDirectory(options.pluginDirectory())) {
                throw new IllegalArgumentException(options.pluginDirectory() + " is no directory: give --plugin-directory, the "
                        + "server's taskbridge.plugins.directory");
            }
            if (plugin.toAbsolutePath().normalize().getParent().equals(options.pluginDirectory().toAbsolutePath().normalize())) {
                throw new IllegalArgumentException(plugin + " is in the plugin directory already: the server reads it by itself; "
                        + "give a jar from elsewhere");
            }
            server = DeployCommand.serverApi(options, environment, err);
            List<Unfinished> unfinished = server.unfinished();
            List<ServerApi.ServerPlugin> running = server.plugins();
            try (EarPlugins ear = EarPlugins.read(options.ear(), options.wildflyHome())) {
                read = ear.plugin(plugin);
                out.println("taskbridge-deploy: " + plugin + " provides " + (read.types().isEmpty() ? "no task type"
                        : String.join(", ", read.types().values().stream().map(type -> type.id() + " version " + type.version())
                        .sorted().toList())) + " (checksum " + read.checksum() + ")");
                refusals = new ArrayList<>(DeployCheck.pluginRefusals(read, ear.types().keySet(), unfinished));
            }
            Set<String> replaced = new HashSet<>();
            running.stream().filter(each -> read.types().containsKey(each.taskType())).forEach(each -> replaced.add(each.jar()));
            if (replaced.size() > 1) {
                refusals.add("its types are given by " + String.join(" and ", replaced.stream().sorted().toList())
                        + " now: a jar replaces one jar; take the others out first");
            }
            target = replaced.size() == 1 ? replaced.iterator().next() : plugin.getFileName().toString();
            // a replacement keeps every type of the jar it replaces: a type dropped on the way is taken out unasked
            running.stream().filter(each -> each.jar().equals(target) && !read.types().containsKey(each.taskType()))
                    .map(ServerApi.ServerPlugin::taskType).sorted().forEach(lost -> refusals.add(target + " gives task type " + lost
                            + " too, which " + plugin.getFileName() + " does not: take that type out on its own first"));
            if (replaced.isEmpty() && Files.exists(options.pluginDirectory().resolve(target))) {
                refusals.add(options.pluginDirectory().resolve(target) + " exists and gives none of its types: rename the jar, "
                        + "or take that file out first");
            }
        } catch (IOException | RuntimeException e) {
            err.println("taskbridge-deploy: " + plugin + " is not deployed, as it could not be checked: " + e.getMessage());
            return DeployCommand.CANNOT_CHECK;
        }
        if (!refusals.isEmpty()) {
            err.println("taskbridge-deploy: " + plugin + " is not deployed: the server would not run it.");
            refusals.forEach(refusal -> err.println("  - " + refusal));
            err.println("Deploy a version that can run them (a plugin's migrationFrom, design note 028), or let them finish first.");
            return DeployCommand.REFUSED;
        }
        if (options.checkOnly()) {
            out.println("taskbridge-deploy: the server would run " + plugin + " (--check-only: nothing deployed)");
            return DeployCommand.DEPLOYED;
        }
        Path file = options.pluginDirectory().resolve(target);
        out.println("taskbridge-deploy: moving " + plugin + " into " + file);
        Optional<Path> previous;
        List<String> problemsBefore;
        URI management = URI.create("http://" + options.controller());
        try {
            problemsBefore = server.pluginProblems(management);
        } catch (IOException | RuntimeException e) {
            err.println("taskbridge-deploy: " + plugin + " is not deployed: what the server says of its plugins cannot be read: "
                    + e.getMessage() + " (is --controller the server's management interface?)");
            return DeployCommand.CANNOT_CHECK;
        }
        try {
            previous = install(plugin, file);
        } catch (IOException | RuntimeException e) {
            err.println("taskbridge-deploy: " + plugin + " could not be moved into " + options.pluginDirectory() + ": " + e.getMessage());
            return DeployCommand.NOT_DEPLOYED;
        }
        return awaitLoaded(server, management, read, target, file, previous, problemsBefore, options, out, err);
    }

    /**
     * Writes the jar beside its place and moves it there in one step, so that the server never
     * reads half a file (it reads only {@code *.jar}); the file it replaces is kept beside, hidden,
     * until the server runs the new one.
     */
    private static Optional<Path> install(Path plugin, Path file) throws IOException {
        Path part = file.resolveSibling("." + file.getFileName() + ".part");
        Optional<Path> previous = Optional.empty();
        try {
            Files.copy(plugin, part, StandardCopyOption.REPLACE_EXISTING);
            if (Files.exists(file)) {
                previous = Optional.of(file.resolveSibling("." + file.getFileName() + ".previous"));
                Files.copy(file, previous.get(), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return previous;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            deleteIfThere(previous);
            throw e;
        }
    }

    /** A line of readiness's saying the server did not load the file: the engine's wording (note 043), before its first colon. */
    private static boolean refuses(String problem, String target) {
        return problem.startsWith(target + " is not loaded:") || problem.startsWith(target + " not loaded:");
    }

    private static int awaitLoaded(ServerApi server, URI management, DirectoryPlugin read, String target, Path file,
                                   Optional<Path> previous, List<String> problemsBefore, DeployCommand.Options options,
                                   PrintStream out, PrintStream err) throws InterruptedException {
        long deadline = System.nanoTime() + options.waitFor().toNanos();
        String lastFailure = null;
        while (System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS);
            try {
                List<ServerApi.ServerPlugin> running = server.plugins();
                if (read.types().keySet().stream().allMatch(type -> running.stream().anyMatch(plugin -> plugin.taskType().equals(type)
                        && plugin.jar().equals(target) && plugin.checksum().equals(read.checksum())))) {
                    deleteIfThere(previous);
                    out.println("taskbridge-deploy: the server runs " + target + " (checksum " + read.checksum() + ")");
                    return DeployCommand.DEPLOYED;
                }
                // a refusal of this file that was not there before the move: the server's word on it
                List<String> refused = server.pluginProblems(management).stream()
                        .filter(problem -> refuses(problem, target) && !problemsBefore.contains(problem)).toList();
                if (!refused.isEmpty()) {
                    err.println("taskbridge-deploy: the server did not load " + target + ":");
                    refused.forEach(problem -> err.println("  - " + problem));
                    putBack(file, previous, err);
                    return DeployCommand.NOT_DEPLOYED;
                }
            } catch (IOException | RuntimeException e) {
                lastFailure = e.getMessage(); // 503 while the engine restarts with it: asked again
            }
        }
        err.println("taskbridge-deploy: the server did not run " + target + " within " + options.waitFor().toSeconds() + " s"
                + (lastFailure == null ? "" : " (last answer: " + lastFailure + ")")
                + ": is --plugin-directory the server's taskbridge.plugins.directory, and --url that server?");
        putBack(file, previous, err);
        return DeployCommand.NOT_DEPLOYED;
    }

    /** The directory as it was: the file the new jar replaced, or none. */
    private static void putBack(Path file, Optional<Path> previous, PrintStream err) {
        try {
            if (previous.isPresent()) {
                Files.move(previous.get(), file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                err.println("taskbridge-deploy: " + file + " is the jar it was again");
            } else {
                Files.deleteIfExists(file);
                err.println("taskbridge-deploy: " + file + " is taken out again");
            }
        } catch (IOException e) {
            err.println("taskbridge-deploy: " + file + " could not be put back as it was (" + e.getMessage() + "): the next boot loads it");
        }
    }

    private static void deleteIfThere(Optional<Path> previous) {
        try {
            if (previous.isPresent()) {
                Files.deleteIfExists(previous.get());
            }
        } catch (IOException e) {
            // a hidden file left beside the jars: the server reads only *.jar
        }
    }
}
