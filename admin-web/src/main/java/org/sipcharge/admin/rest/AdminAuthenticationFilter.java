package org.sipcharge.admin.rest;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.logging.Logger;

/**
 * HTTP Basic authentication (RFC 7617) of the admin API's protected resources. One administrator account:
 * {@value #USER_KEY} (default {@code admin}) and the password in the file named by {@value #PASSWORD_FILE_KEY},
 * read at each request so that a new password takes effect without a redeploy. server-config's scripts create that
 * file with a random password (mode 600) on first start; no password is ever in the repository or in domain.xml.
 * Without a configured, readable, non-empty password file every protected request is refused (fail closed).
 * Use HTTPS (Payara's https listener) beyond the loopback host: Basic credentials are not encrypted.
 */
@Provider
@AdminAuthenticated
@Priority(Priorities.AUTHENTICATION)
public class AdminAuthenticationFilter implements ContainerRequestFilter {

    public static final String USER_KEY = "sipcharge.admin.user";
    public static final String PASSWORD_FILE_KEY = "sipcharge.admin.password-file";
    static final String REALM = "sipcharge-admin";
    private static final Logger LOG = Logger.getLogger(AdminAuthenticationFilter.class.getName());

    @Override
    public void filter(ContainerRequestContext request) {
        Config config = ConfigProvider.getConfig(AdminAuthenticationFilter.class.getClassLoader());
        String user = config.getOptionalValue(USER_KEY, String.class).map(String::trim).orElse("admin");
        String file = config.getOptionalValue(PASSWORD_FILE_KEY, String.class).map(String::trim).orElse("");
        String password = null;
        if (!file.isEmpty()) {
            try {
                password = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                LOG.warning(() -> "ADM-002 admin password file " + file + " (" + PASSWORD_FILE_KEY + ") cannot be read: " + e.getMessage());
            }
        } else {
            LOG.warning(() -> "ADM-002 no admin password configured (" + PASSWORD_FILE_KEY + "): protected admin requests are refused");
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (password == null || password.isEmpty() || !matches(header, user, password)) {
            LOG.fine(() -> "ADM-001 refused " + request.getMethod() + " " + request.getUriInfo().getPath() + ": no valid credentials");
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"")
                    .type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "authentication required: HTTP Basic with the admin credentials"))
                    .build());
        }
    }

    static boolean matches(String header, String user, String password) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(header.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] expected = (user + ":" + password).getBytes(StandardCharsets.UTF_8);
        // Constant time: the comparison does not tell how much of the password was right.
        return MessageDigest.isEqual(given, expected);
    }
}
