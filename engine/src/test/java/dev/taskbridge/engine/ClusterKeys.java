package dev.taskbridge.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test cluster's keys, made by server-config's {@code cluster-keys.sh} as an operator makes them
 * (design note 037): an authority in a directory of its own, and nodes' keys it signs.
 */
final class ClusterKeys {

    /** The script, from the engine module's directory, where the tests run. */
    private static final Path SCRIPT = Path.of("..", "server-config", "src", "main", "bin", "cluster-keys.sh");

    private final Path dir;

    private ClusterKeys(Path dir) {
        this.dir = dir;
    }

    /** A new authority in {@code dir}, with the trust store that holds its certificate. */
    static ClusterKeys authority(Path dir) throws IOException, InterruptedException {
        return new ClusterKeys(dir);
    }

    /** The stores' password, which the script made. */
    String password() throws IOException {
        return Files.readString(dir.resolve("password")).strip();
    }

    /** The trust store that holds this authority's certificate. */
    Path trustStore() {
        return dir.resolve("truststore.p12");
    }

    /** A key for {@code node}, signed by this authority, trusting this authority. */
    ClusterTls node(String node) throws IOException, InterruptedException {
        return signedKey(node).trusting(this);
    }

    /** A key store for {@code node} holding its key and the certificate this authority signed. */
    SignedKey signedKey(String node) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString(), dir.toString(), node));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("cluster-keys.sh failed: " + output);
        }
        return new SignedKey(dir.resolve(node + ".p12"), password());
    }

    /** A node's key store, to be paired with the trust store of some authority. */
    record SignedKey(Path keyStore, String password) {
        ClusterTls trusting(ClusterKeys authority) throws IOException {
            return ClusterTls.of(keyStore, password, authority.trustStore(), authority.password());
        }
    }
}
