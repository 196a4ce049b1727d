package dev.taskbridge.engine.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;

/** Which jar a plugin came from, as operators compare nodes by it. */
class PluginJarTest {

    private static final Map<String, String> ENTRIES = new LinkedHashMap<>(Map.of(
            "dev/example/Plugin.class", "class bytes",
            "META-INF/services/dev.taskbridge.plugin.TaskType", "dev.example.Plugin\n",
            "dev/example/messages.properties", "greeting=hello\n"));

    @Test
    void theSameEntriesAreTheSameChecksumHoweverTheyWereZipped() throws IOException {
        PluginJar stored = PluginJar.read("a.jar", jar("1.2.0", ENTRIES, List.of("dev/example/Plugin.class",
                "dev/example/messages.properties", "META-INF/services/dev.taskbridge.plugin.TaskType"), ZipEntry.STORED));
        PluginJar deflated = PluginJar.read("a.jar", jar("1.2.0", ENTRIES, List.of(
                "META-INF/services/dev.taskbridge.plugin.TaskType", "dev/example/messages.properties",
                "dev/example/Plugin.class"), ZipEntry.DEFLATED));

        assertThat(stored).isEqualTo(deflated);
        assertThat(stored.version()).isEqualTo("1.2.0");
        assertThat(stored.checksum()).matches("[0-9a-f]{64}");
    }

    @Test
    void entriesHandedOverAsAJarStreamAreReadAsTheyAre() throws IOException {
        // WildFly's virtual file system opens a jar as a JarInputStream of its entries, not as the file's bytes
        List<String> order = List.copyOf(ENTRIES.keySet());
        PluginJar fromFile = PluginJar.read("a.jar", jar("1.2.0", ENTRIES, order, ZipEntry.DEFLATED));

        assertThat(PluginJar.read("a.jar", new JarInputStream(jar("1.2.0", ENTRIES, order, ZipEntry.DEFLATED)))).isEqualTo(fromFile);
    }

    @Test
    void aManifestThatIsNotTheFirstEntryIsReadAndCountedAllTheSame() throws IOException {
        // zipped by a tool that does not put the manifest first: a JarInputStream would not see it as one
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteArrayOutputStream manifest = new ByteArrayOutputStream();
        Manifest declared = new Manifest();
        declared.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        declared.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "1.2.0");
        declared.write(manifest);
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (String name : ENTRIES.keySet()) {
                out.putNextEntry(new ZipEntry(name));
                out.write(ENTRIES.get(name).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            out.write(manifest.toByteArray());
            out.closeEntry();
        }

        assertThat(PluginJar.read("a.jar", new ByteArrayInputStream(bytes.toByteArray())))
                .isEqualTo(PluginJar.read("a.jar", jar("1.2.0", ENTRIES, List.copyOf(ENTRIES.keySet()), ZipEntry.DEFLATED)));
    }

    @Test
    void classesFromOneJarShareItsReading() throws URISyntaxException {
        Map<Class<?>, PluginJar> jars = PluginJar.of(List.of(Test.class, org.junit.jupiter.api.Disabled.class, String.class));

        assertThat(jars.get(Test.class)).isSameAs(jars.get(org.junit.jupiter.api.Disabled.class));
        assertThat(jars.get(String.class).checksum()).isEqualTo(PluginJar.UNKNOWN);
    }

    @Test
    void oneChangedByteIsAnotherChecksum() throws IOException {
        Map<String, String> changed = new LinkedHashMap<>(ENTRIES);
        changed.put("dev/example/messages.properties", "greeting=hallo\n");
        List<String> order = List.copyOf(ENTRIES.keySet());

        assertThat(PluginJar.read("a.jar", jar("1.2.0", changed, order, ZipEntry.DEFLATED)).checksum())
                .isNotEqualTo(PluginJar.read("a.jar", jar("1.2.0", ENTRIES, order, ZipEntry.DEFLATED)).checksum());
        assertThat(PluginJar.read("a.jar", jar("1.2.1", ENTRIES, order, ZipEntry.DEFLATED)).checksum())
                .as("the manifest is content too")
                .isNotEqualTo(PluginJar.read("a.jar", jar("1.2.0", ENTRIES, order, ZipEntry.DEFLATED)).checksum());
    }

    @Test
    void aJarWithoutAnImplementationVersionGivesItsMavenVersion() throws IOException {
        Map<String, String> entries = new LinkedHashMap<>(ENTRIES);
        entries.put("META-INF/maven/dev.example/example-plugin/pom.properties",
                "groupId=dev.example\nartifactId=example-plugin\nversion=3.0.1\n");

        assertThat(PluginJar.read("a.jar", jar(null, entries, List.copyOf(entries.keySet()), ZipEntry.DEFLATED)).version())
                .isEqualTo("3.0.1");
        assertThat(PluginJar.read("a.jar", jar(null, ENTRIES, List.copyOf(ENTRIES.keySet()), ZipEntry.DEFLATED)).version())
                .isEqualTo(PluginJar.UNKNOWN);
    }

    @Test
    void aClassFromAJarFileNamesThatJarAndChecksumsItsContent() throws IOException, URISyntaxException {
        Path file = Path.of(Test.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        PluginJar jar = PluginJar.of(Test.class);

        assertThat(jar.name()).isEqualTo(file.getFileName().toString()).startsWith("junit-jupiter-api");
        assertThat(jar.version()).isNotEqualTo(PluginJar.UNKNOWN);
        try (InputStream in = Files.newInputStream(file)) {
            assertThat(jar).isEqualTo(PluginJar.read(file.getFileName().toString(), in));
        }
    }

    @Test
    void aClassWithoutAJarSaysWhatItKnows() {
        assertThat(PluginJar.of(String.class)).isEqualTo(new PluginJar(PluginJar.UNKNOWN, PluginJar.UNKNOWN, PluginJar.UNKNOWN));
        PluginJar classes = PluginJar.of(PluginJarTest.class); // a directory of classes
        assertThat(classes.name()).isEqualTo("test-classes");
        assertThat(classes.checksum()).isEqualTo(PluginJar.UNKNOWN);
    }

    private static InputStream jar(String implementationVersion, Map<String, String> entries, List<String> order, int method)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (implementationVersion != null) {
            manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, implementationVersion);
        }
        try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
            for (String name : order) {
                byte[] content = entries.get(name).getBytes(StandardCharsets.UTF_8);
                JarEntry entry = new JarEntry(name);
                entry.setMethod(method);
                if (method == ZipEntry.STORED) {
                    CRC32 crc = new CRC32();
                    crc.update(content);
                    entry.setSize(content.length);
                    entry.setCrc(crc.getValue());
                }
                out.putNextEntry(entry);
                out.write(content);
                out.closeEntry();
            }
        }
        return new ByteArrayInputStream(bytes.toByteArray());
    }
}
