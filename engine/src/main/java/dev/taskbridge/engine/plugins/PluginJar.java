package dev.taskbridge.engine.plugins;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jar a plugin class came from, as operators compare nodes by it: its file name, the version
 * it declares, and a checksum of its content.
 *
 * <p>The checksum is SHA-256 over the jar's file entries in name order, each as its name and the
 * SHA-256 of its bytes (the manifest's as they are in the jar), not over the file: a server may
 * hand a jar's entries over without its file (WildFly's virtual file system does), and the same
 * entries are the same plugin however they were zipped. Two nodes with the same checksum run the
 * same plugin.
 *
 * @param name     the jar's file name, e.g. {@code taskbridge-ledger-0.1.0.jar}
 * @param version  {@code Implementation-Version} from its manifest, else the version in its Maven
 *                 {@code pom.properties}, else {@code unknown}
 * @param checksum hex SHA-256 of its entries, or {@code unknown} when the jar could not be read
 */
public record PluginJar(String name, String version, String checksum) {

    public static final String UNKNOWN = "unknown";
    private static final Logger LOG = LoggerFactory.getLogger(PluginJar.class);

    /** The jar each of {@code types} was loaded from; a jar that holds several of them is read once. */
    public static Map<Class<?>, PluginJar> of(Collection<? extends Class<?>> types) {
        Map<String, PluginJar> byLocation = new HashMap<>();
        Map<Class<?>, PluginJar> jars = new LinkedHashMap<>();
        for (Class<?> type : types) {
            URL location = location(type);
            jars.put(type, location == null ? new PluginJar(UNKNOWN, UNKNOWN, UNKNOWN)
                    : byLocation.computeIfAbsent(location.toString(), any -> read(type, location)));
        }
        return jars;
    }

    /** The jar {@code type} was loaded from; {@code unknown} parts where the class loader does not say. */
    public static PluginJar of(Class<?> type) {
        return of(List.of(type)).get(type);
    }

    private static URL location(Class<?> type) {
        try {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            return source == null ? null : source.getLocation();
        } catch (SecurityException e) {
            return null;
        }
    }

    private static PluginJar read(Class<?> type, URL location) {
        String name = fileName(location);
        try (InputStream in = location.openStream()) {
            return read(name, in);
        } catch (IOException | RuntimeException e) {
            // a class from a directory, or a location that cannot be opened
            LOG.warn("The jar of {} at {} could not be read for its version and checksum: {}", type.getName(), location, e.toString());
            return new PluginJar(name, UNKNOWN, UNKNOWN);
        }
    }

    /**
     * Reads a jar's version and checksum from its bytes (a file's), or from the entries a class
     * loader hands over as a {@link JarInputStream}.
     */
    public static PluginJar read(String name, InputStream jar) throws IOException {
        Map<String, byte[]> digests = new TreeMap<>();
        byte[] manifestBytes = null;
        byte[] pomProperties = null;
        // A plain zip stream of a file keeps the manifest as the entry it is. WildFly's virtual file
        // system hands a jar over as a JarInputStream of its entries already (its raw bytes are no
        // zip): read that one as it is.
        ZipInputStream in = jar instanceof JarInputStream given ? given : new ZipInputStream(jar);
        try (in) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.isDirectory()) {
                    continue;
                }
                MessageDigest content = sha256();
                DigestInputStream digesting = new DigestInputStream(in, content);
                if (entry.getName().equals(JarFile.MANIFEST_NAME)) {
                    manifestBytes = digesting.readAllBytes();
                } else if (pomProperties == null && entry.getName().startsWith("META-INF/maven/")
                        && entry.getName().endsWith("/pom.properties")) {
                    pomProperties = digesting.readAllBytes();
                } else {
                    digesting.transferTo(OutputStream.nullOutputStream()); // only its digest is kept
                }
                digests.put(entry.getName(), content.digest());
            }
            if (manifestBytes == null && in instanceof JarInputStream entries && entries.getManifest() != null) {
                // a JarInputStream that took the manifest out of its entries: its content all the same
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                entries.getManifest().write(bytes);
                manifestBytes = bytes.toByteArray();
                digests.put(JarFile.MANIFEST_NAME, sha256().digest(manifestBytes));
            }
        }
        if (digests.isEmpty()) {
            throw new IOException(name + " is not a jar");
        }
        MessageDigest all = sha256();
        for (Map.Entry<String, byte[]> entry : digests.entrySet()) {
            byte[] entryName = entry.getKey().getBytes(StandardCharsets.UTF_8);
            all.update(length(entryName.length));
            all.update(entryName);
            all.update(entry.getValue());
        }
        return new PluginJar(name, version(manifestBytes, pomProperties), HexFormat.of().formatHex(all.digest()));
    }

    private static String version(byte[] manifestBytes, byte[] pomProperties) throws IOException {
        if (manifestBytes != null) {
            String declared = new Manifest(new ByteArrayInputStream(manifestBytes)).getMainAttributes()
                    .getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            if (declared != null && !declared.isBlank()) {
                return declared.strip();
            }
        }
        if (pomProperties != null) {
            Properties pom = new Properties();
            pom.load(new ByteArrayInputStream(pomProperties));
            String version = pom.getProperty("version");
            if (version != null && !version.isBlank()) {
                return version.strip();
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
