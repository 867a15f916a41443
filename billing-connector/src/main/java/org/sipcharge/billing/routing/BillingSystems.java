package org.sipcharge.billing.routing;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The billing systems CDRs are routed to, from MicroProfile Config:
 * <ul>
 *   <li>{@value #SYSTEMS_KEY}: comma-separated names (default {@value #DEFAULT_SYSTEMS}); each gets its own JMS queue
 *       {@code sipcharge.billing.<name>} that it reads itself;</li>
 *   <li>{@value #LEGACY_KEY}: the one system among them reached over the legacy TCP link by the coordinator (default
 *       {@value #DEFAULT_LEGACY}; empty when there is none).</li>
 * </ul>
 * A name is 1 to 32 characters of lower-case letters, digits and '-', starting with a letter or digit.
 */
public final class BillingSystems {

    public static final String SYSTEMS_KEY = "sipcharge.billing.systems";
    public static final String LEGACY_KEY = "sipcharge.billing.legacy-system";
    public static final String DEFAULT_SYSTEMS = "legacy";
    public static final String DEFAULT_LEGACY = "legacy";
    public static final String QUEUE_PREFIX = org.sipcharge.cdr.CdrJmsContract.BILLING_QUEUE_PREFIX;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private final List<String> names;
    private final String legacy;

    public BillingSystems(String systems, String legacy) {
        Set<String> set = new LinkedHashSet<>();
        for (String s : systems.split(",")) {
            String n = s.trim();
            if (n.isEmpty()) {
                continue;
            }
            if (!NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("BIL-050 " + SYSTEMS_KEY + ": '" + n
                        + "' is not a billing system name (1-32 of a-z, 0-9, '-', not starting with '-')");
            }
            if (!set.add(n)) {
                throw new IllegalArgumentException("BIL-050 " + SYSTEMS_KEY + ": '" + n + "' is listed twice");
            }
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("BIL-050 " + SYSTEMS_KEY + " names no billing system");
        }
        String l = legacy == null ? "" : legacy.trim();
        if (!l.isEmpty() && !set.contains(l)) {
            throw new IllegalArgumentException("BIL-050 " + LEGACY_KEY + "=" + l + " is not one of " + SYSTEMS_KEY + "=" + set);
        }
        this.names = Collections.unmodifiableList(new ArrayList<>(set));
        this.legacy = l.isEmpty() ? null : l;
    }

    public static BillingSystems fromConfig() {
        Config config = ConfigProvider.getConfig(BillingSystems.class.getClassLoader());
        return new BillingSystems(config.getOptionalValue(SYSTEMS_KEY, String.class).orElse(DEFAULT_SYSTEMS),
                config.getOptionalValue(LEGACY_KEY, String.class).orElse(DEFAULT_LEGACY));
    }

    public List<String> names() {
        return names;
    }

    /** The system behind the legacy link, or null. */
    public String legacy() {
        return legacy;
    }

    public static String queueOf(String system) {
        return QUEUE_PREFIX + system;
    }
}
