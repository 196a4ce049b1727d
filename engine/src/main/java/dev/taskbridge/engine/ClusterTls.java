package dev.taskbridge.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Objects;

/**
 * The keys a node of a cluster speaks TLS with (design note 037): its own key and certificate,
 * and the certificates it trusts, each a PKCS12 (or JKS) file. Every node proves itself to every
 * other (mutual authentication), so only a node whose certificate the others trust can join;
 * {@code server-config}'s {@code cluster-keys.sh} makes a cluster's authority and a key per node.
 *
 * <p>{@link #toString()} names the files and never the passwords: settings are logged.
 */
public record ClusterTls(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {

    /** Plain TCP: allowed only for a node that listens on loopback (see {@link ClusterSettings}). */
    public static final ClusterTls OFF = new ClusterTls(null, null, null, null);

    public ClusterTls {
        long given = java.util.stream.Stream.of(keyStore, keyStorePassword, trustStore, trustStorePassword)
                .filter(Objects::nonNull).count();
        if (given != 0 && given != 4) {
            // a trust store without a key store (or the reverse) would quietly mean plain TCP
            throw new IllegalArgumentException("TLS between nodes needs a key store, a trust store and both their passwords; "
                    + "given: " + (keyStore != null ? "key store " : "") + (keyStorePassword != null ? "key store password " : "")
                    + (trustStore != null ? "trust store " : "") + (trustStorePassword != null ? "trust store password" : ""));
        }
    }

    /** TLS with the node's key store and the trust store of the cluster's certificates. */
    public static ClusterTls of(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {
        return new ClusterTls(Objects.requireNonNull(keyStore, "keyStore"), Objects.requireNonNull(keyStorePassword, "keyStorePassword"),
                Objects.requireNonNull(trustStore, "trustStore"), Objects.requireNonNull(trustStorePassword, "trustStorePassword"));
    }

    /** True when keys are given: nodes speak TLS. */
    public boolean enabled() {
        return keyStore != null;
    }

    /**
     * Opens both stores, so that a missing file, a wrong password or a store without a key is
     * told at start, by name, rather than as a handshake that fails on the first connection.
     *
     * @throws IllegalArgumentException saying which file and why
     */
    void check() {
        if (!enabled()) {
            return;
        }
        KeyStore keys = open("key store", keyStore, keyStorePassword);
        if (!holdsAKey(keys)) {
            throw new IllegalArgumentException("the cluster's key store " + keyStore + " holds no private key");
        }
        if (size(open("trust store", trustStore, trustStorePassword), trustStore) == 0) {
            throw new IllegalArgumentException("the cluster's trust store " + trustStore + " holds no certificate");
        }
    }

    private boolean holdsAKey(KeyStore keys) {
        try {
            for (String alias : Collections.list(keys.aliases())) {
                if (keys.isKeyEntry(alias)) {
                    return true;
                }
            }
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the cluster's key store " + keyStore + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static int size(KeyStore store, Path file) {
        try {
            return store.size();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the cluster's trust store " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static KeyStore open(String what, Path file, String password) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("the cluster's " + what + " " + file + " does not exist or cannot be read");
        }
        try {
            return KeyStore.getInstance(file.toFile(), password.toCharArray());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the cluster's " + what + " " + file + " cannot be opened (wrong password?): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return enabled() ? "ClusterTls[keyStore=" + keyStore + ", trustStore=" + trustStore + "]" : "ClusterTls[off]";
    }
}
