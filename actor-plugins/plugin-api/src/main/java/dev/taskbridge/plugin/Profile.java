package dev.taskbridge.plugin;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which kind of environment a deployment runs in: MicroProfile Config's {@code mp.config.profile},
 * one of {@code dev}, {@code stage} and {@code prod}. What differs between them is fixed here and
 * in the host, not a setting an operator could turn off (README, "Settings per environment").
 */
public enum Profile {

    /** A developer's or a demo's server: demo users and demo data, the embedded database allowed. */
    DEV,
    /** A rehearsal of production: production's rules, except that the embedded database is allowed (with a warning). */
    STAGE,
    /** Production: no demo data, no user with a default password, no embedded database. */
    PROD;

    /** MicroProfile Config's name of the setting that picks the profile. */
    public static final String SETTING = "mp.config.profile";

    /** The profile's name as MicroProfile Config spells it, e.g. {@code dev}: what {@code %dev.} properties are keyed by. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether plugins make their demo data (a demo chart of accounts, demo invoices): in {@link #DEV} only. */
    public boolean demoData() {
        return this == DEV;
    }

    /**
     * The profile a setting names, spelled as MicroProfile Config matches it (lower case, exactly);
     * empty for anything else, which a host refuses rather than guesses at.
     */
    public static Optional<Profile> named(String configName) {
        return Arrays.stream(values()).filter(profile -> profile.configName().equals(configName)).findFirst();
    }

    /** The names a setting may take, for messages: {@code dev, stage, prod}. */
    public static String names() {
        return Arrays.stream(values()).map(Profile::configName).collect(Collectors.joining(", "));
    }
}
