package dev.taskbridge.engine.plugins;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jar a plugin class came from, as operators compare nodes by it: its file name, the version
 * it declares, and a checksum of its content.
 *
 * <p>The checksum is SHA-256 over the jar's entries (each name and content, in name order, the
 * manifest included), not over the file's bytes: a server may hand a jar's entries over without
 * its file (WildFly's virtual file system does), and the same entries are the same plugin however
 * they were zipped. Two nodes with the same checksum run the same plugin.
 *
 * @param name     the jar's file name, e.g. {@code taskbridge-ledger-0.1.0.jar}
 * @param version  {@code Implementation-Version} from its manifest, else the version in its Maven
 *                 {@code pom.properties}, else {@code unknown}
 * @param checksum hex SHA-256 of its entries, or {@code unknown} when the jar could not be read
 */
public record PluginJar(String name, String version, String checksum) {

    public static final String UNKNOWN = "unknown";
    private static final Logger LOG = LoggerFactory.getLogger(PluginJar.class);

    /** The jar {@code type} was loaded from; {@code unknown} parts where the class loader does not say. */
    public static PluginJar of(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null) {
            return new PluginJar(UNKNOWN, UNKNOWN, UNKNOWN);
        }
        String name = fileName(location);
        try (InputStream in = location.openStream()) {
            return read(name, in);
        } catch (IOException | RuntimeException e) {
            // a class from a directory, or a location that cannot be opened
            LOG.warn("The jar of {} at {} could not be read for its version and checksum: {}", type.getName(), location, e.toString());
            return new PluginJar(name, UNKNOWN, UNKNOWN);
        }
    }

    /** Reads a jar's version and checksum from its bytes: a file's, or what a class loader hands over. */
    public static PluginJar read(String name, InputStream jar) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        Manifest manifest;
        // WildFly's virtual file system hands a jar over as a JarInputStream of its entries already,
        // whose raw bytes are no zip: read that one as it is
        try (JarInputStream in = jar instanceof JarInputStream given ? given : new JarInputStream(jar, false)) {
            manifest = in.getManifest();
            for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                if (!entry.isDirectory()) {
                    entries.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        if (entries.isEmpty() && manifest == null) {
            throw new IOException(name + " is not a jar");
        }
        MessageDigest sha256 = sha256();
        if (manifest != null) {
            // JarInputStream takes the manifest out of the entries; it is part of the content all the same
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            manifest.write(bytes);
            entries.put(JarFile.MANIFEST_NAME, bytes.toByteArray());
        }
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            byte[] entryName = entry.getKey().getBytes(StandardCharsets.UTF_8);
            sha256.update(length(entryName.length));
            sha256.update(entryName);
            sha256.update(length(entry.getValue().length));
            sha256.update(entry.getValue());
        }
        return new PluginJar(name, version(manifest, entries), HexFormat.of().formatHex(sha256.digest()));
    }

    private static String version(Manifest manifest, Map<String, byte[]> entries) throws IOException {
        if (manifest != null) {
            String declared = manifest.getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            if (declared != null && !declared.isBlank()) {
                return declared.strip();
            }
        }
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            if (entry.getKey().startsWith("META-INF/maven/") && entry.getKey().endsWith("/pom.properties")) {
                Properties pom = new Properties();
                pom.load(new ByteArrayInputStream(entry.getValue()));
                String version = pom.getProperty("version");
                if (version != null && !version.isBlank()) {
                    return version.strip();
                }
            }
        }
        return UNKNOWN;
    }

    /** The last part of a location's path: {@code vfs:/content/app.ear/lib/x.jar/} and {@code file:/…/x.jar} give {@code x.jar}. */
    private static String fileName(URL location) {
        String path = location.getPath();
        while (path.endsWith("/") || path.endsWith("!")) {
            path = path.substring(0, path.length() - 1);
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.isEmpty() ? UNKNOWN : name;
    }

    private static byte[] length(int length) {
        return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
