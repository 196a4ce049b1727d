package dev.taskbridge.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import dev.taskbridge.engine.BuildInfo;
import dev.taskbridge.engine.plugins.PluginJar;

/**
 * What the server under test should say it runs, read from the EAR that was deployed: the
 * project's version, and the commit the engine's build wrote into its jar (the engine's own test
 * checks that this is the checkout's commit).
 */
final class ExpectedBuild {

    private ExpectedBuild() {
    }

    static String version() {
        return System.getProperty("taskbridge.expected.version");
    }

    /** The commit as the engine's jar in the EAR carries it: an id, {@code -dirty} if so, or {@code unknown}. */
    static String commit() throws IOException {
        Properties build = new Properties();
        try (ZipFile ear = ear(); InputStream engine = ear.getInputStream(libJar(ear, "taskbridge-engine"));
             ZipInputStream entries = new ZipInputStream(engine)) {
            for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                if (entry.getName().equals("dev/taskbridge/engine/build.properties")) {
                    build.load(entries);
                }
            }
        }
        return BuildInfo.of(build).commit();
    }

    /** The jar in the EAR's lib whose name contains {@code part}, read as the server reads its plugins. */
    static PluginJar pluginJarInEar(String part) throws IOException {
        try (ZipFile ear = ear()) {
            ZipEntry entry = libJar(ear, part);
            return PluginJar.read(entry.getName().substring("lib/".length()), ear.getInputStream(entry));
        }
    }

    private static ZipFile ear() throws IOException {
        return new ZipFile(Path.of(System.getProperty("taskbridge.ear")).toFile());
    }

    private static ZipEntry libJar(ZipFile ear, String part) {
        return ear.stream()
                .filter(e -> e.getName().startsWith("lib/") && e.getName().contains(part) && e.getName().endsWith(".jar"))
                .findFirst().orElseThrow(() -> new AssertionError("no lib/*" + part + "*.jar in the EAR"));
    }
}
