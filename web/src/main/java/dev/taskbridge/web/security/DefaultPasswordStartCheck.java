package dev.taskbridge.web.security;

import java.util.List;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import org.eclipse.microprofile.config.ConfigProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wildfly.security.auth.server.RealmUnavailableException;
import org.wildfly.security.auth.server.SecurityDomain;
import org.wildfly.security.auth.server.ServerAuthenticationContext;
import org.wildfly.security.evidence.PasswordGuessEvidence;

/**
 * Outside the {@code dev} profile ({@code mp.config.profile}: {@code stage}, {@code prod}, or none
 * set, which is {@code prod}), fails the deployment while a user logs in with a default password
 * ({@link DefaultPasswords}). The web tier checks it because it is the one that takes passwords; it
 * asks the Elytron security domain of this deployment, the one logins go to. The demo server
 * ({@code dev}) skips the check: its users are the defaults.
 */
@WebListener
public class DefaultPasswordStartCheck implements ServletContextListener {

    /**
     * MicroProfile Config's profile setting and its values: the plugin API's {@code Profile}, which
     * the web tier does not see (DefaultPasswordStartCheckTest keeps the two equal); of them it needs only
     * whether this is {@code dev}, which alone skips the check.
     */
    static final String PROFILE = "mp.config.profile";
    static final List<String> PROFILES = List.of("dev", "stage", "prod");
    private static final Logger LOG = LoggerFactory.getLogger(DefaultPasswordStartCheck.class);

    @Override
    public void contextInitialized(ServletContextEvent event) {
        String profile = ConfigProvider.getConfig(DefaultPasswordStartCheck.class.getClassLoader())
                .getOptionalValue(PROFILE, String.class).orElse("prod");
        if (!checks(profile)) {
            return;
        }
        SecurityDomain domain = SecurityDomain.getCurrent();
        if (domain == null) {
            throw refuse("Taskbridge cannot check for default passwords in the " + profile + " profile: the deployment"
                    + " has no Elytron security domain (see server-config's configure-security.cli).");
        }
        List<String> users;
        try {
            users = DefaultPasswords.usersWithDefaultPassword((user, password) -> accepts(domain, user, password));
        } catch (Exception e) {
            throw refuse("Taskbridge cannot check for default passwords in the " + profile + " profile: the security"
                    + " realm did not answer (" + e + ").");
        }
        if (!users.isEmpty()) {
            throw refuse(DefaultPasswords.refusal(profile, users));
        }
        LOG.info("Profile {}: no user logs in with a default password", profile);
    }

    /**
     * Whether the profile checks passwords: every one but {@code dev}. A name that is no profile
     * fails the deployment, with the engine's words: taken for production it would fail the demo
     * server over its demo users, which says nothing of the misspelt setting.
     */
    static boolean checks(String profile) {
        if (!PROFILES.contains(profile)) {
            throw refuse(PROFILE + " is '" + profile + "', which is not one of Taskbridge's profiles: " + String.join(", ", PROFILES));
        }
        return !profile.equals(PROFILES.get(0));
    }

    /** Asks without logging anyone in: a fresh authentication context, given up after the question. */
    private static boolean accepts(SecurityDomain domain, String user, String password)
            throws RealmUnavailableException {
        ServerAuthenticationContext context = domain.createNewAuthenticationContext();
        try {
            context.setAuthenticationName(user);
            // A user the realm does not know cannot log in with any password.
            return context.exists() && context.verifyEvidence(new PasswordGuessEvidence(password.toCharArray()));
        } finally {
            context.fail();
        }
    }

    private static IllegalStateException refuse(String message) {
        LOG.error(message);
        return new IllegalStateException(message);
    }
}
