package dev.taskbridge.engine.plugins;

import java.util.Optional;

import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PayloadMigration;
import dev.taskbridge.plugin.TaskType;

/**
 * Whether, and how, a task type's plugin runs a task submitted under another version of it: its
 * own version as it is, an older one through the chain of its {@link TaskType#migrationFrom}
 * steps, a newer one never (note 028).
 */
public final class PayloadMigrations {

    private PayloadMigrations() {
    }

    /** Whether {@code type}'s plugin can run a task submitted under {@code version}. */
    public static boolean canRun(TaskType<?> type, int version) {
        return whyNot(type, version).isEmpty();
    }

    /** Why {@code type}'s plugin cannot run a task of {@code version}; empty when it can. */
    public static Optional<String> whyNot(TaskType<?> type, int version) {
        int current = type.version();
        if (version > current) {
            return Optional.of("version " + current + " of its plugin cannot run tasks of the newer version " + version);
        }
        for (int step = version; step < current; step++) {
            if (migration(type, step).isEmpty()) {
                return Optional.of("version " + current + " of its plugin cannot run tasks of version " + version
                        + ": it has no migration from version " + step);
            }
        }
        return Optional.empty();
    }

    /**
     * The payload of a task of {@code version}, as the plugin's current version takes it.
     *
     * @throws InvalidPayloadException a migration refused it, or the plugin cannot run that version
     */
    public static Payload upgrade(TaskType<?> type, int version, Payload payload) throws InvalidPayloadException {
        Optional<String> why = whyNot(type, version);
        if (why.isPresent()) {
            throw new InvalidPayloadException("version", why.get());
        }
        Payload migrated = payload;
        for (int step = version; step < type.version(); step++) {
            migrated = migration(type, step).orElseThrow().migrate(migrated);
        }
        return migrated;
    }

    /**
     * A stored payload of a task of {@code version}, parsed as the plugin's current version takes
     * it: as it is for its own version, through the migrations for an older one. What every place
     * that parses a stored payload calls.
     *
     * @throws InvalidPayloadException a migration or the parse refused it, or the plugin cannot run that version
     */
    public static <P> P parse(TaskType<P> type, int version, Payload stored) throws InvalidPayloadException {
        return type.parse(version == type.version() ? stored : upgrade(type, version, stored));
    }

    private static Optional<PayloadMigration> migration(TaskType<?> type, int fromVersion) {
        Optional<PayloadMigration> migration = type.migrationFrom(fromVersion);
        return migration == null ? Optional.empty() : migration;
    }
}
