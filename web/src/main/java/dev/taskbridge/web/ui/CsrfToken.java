package dev.taskbridge.web.ui;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.ExternalContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * The session's token against cross-site request forgery: every form of the pages sends it back
 * (a hidden field, {@value #PARAMETER}), and {@link CsrfGuard} refuses a form post without it.
 * Another site can make a browser post to these pages, but it cannot read the token. This comes
 * on top of the forms' view state, which is tied to the session too.
 */
@Named("csrf")
@RequestScoped
public class CsrfToken {

    static final String PARAMETER = "tb-csrf";
    static final String SESSION_ATTRIBUTE = "dev.taskbridge.csrf";

    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    private ExternalContext external;

    /** The session's token, made at its first use. */
    public String getToken() {
        Object token = external.getSessionMap().get(SESSION_ATTRIBUTE);
        if (token instanceof String known) {
            return known;
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        external.getSessionMap().put(SESSION_ATTRIBUTE, fresh);
        return fresh;
    }

    /** Compares in constant time, so the token cannot be guessed from how long a refusal takes. */
    static boolean matches(Object expected, String sent) {
        return expected instanceof String token && sent != null
                && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8));
    }
}
