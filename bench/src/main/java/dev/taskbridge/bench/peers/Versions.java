package dev.taskbridge.bench.peers;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions as resolved on the class path (from the jars' Maven metadata), not as hoped in the pom. */
final class Versions {

    private Versions() {
    }

    static String of(String groupId, String artifactId) {
        String resource = "META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        try (InputStream in = Versions.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return fromClassPath(artifactId);
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "?");
        } catch (IOException e) {
            return "?";
        }
    }

    /** Some jars (JobRunr's) carry no Maven metadata: read the version off the jar's name instead. */
    private static String fromClassPath(String artifactId) {
        String prefix = artifactId + "-";
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            String file = java.nio.file.Path.of(entry).getFileName().toString();
            if (file.startsWith(prefix) && file.endsWith(".jar")) {
                String version = file.substring(prefix.length(), file.length() - ".jar".length());
                if (!version.isEmpty() && Character.isDigit(version.charAt(0))) {
                    return version;
                }
            }
        }
        return "?";
    }
}
