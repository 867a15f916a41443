package org.sipcharge.charging.infrastructure.config;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Duration;
import java.util.Optional;

/**
 * Every knob of the charging application and the CDF, read through MicroProfile Config, so each can be set as
 * a system property ({@code asadmin create-system-properties}), an environment variable or in
 * {@code META-INF/microprofile-config.properties} (the defaults). Names are documented in server-config/README.md.
 */
public final class ChargingConfig {

    private final Config config;

    private ChargingConfig(Config config) {
        this.config = config;
    }

    public static ChargingConfig load() {
        return new ChargingConfig(ConfigProvider.getConfig(ChargingConfig.class.getClassLoader()));
    }

    public String get(String name, String defaultValue) {
        return config.getOptionalValue(name, String.class).orElse(defaultValue);
    }

    public int getInt(String name, int defaultValue) {
        Optional<String> v = config.getOptionalValue(name, String.class);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.get().trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("configuration " + name + "=" + v.get() + " is not an integer", e);
        }
    }

    public boolean getBoolean(String name, boolean defaultValue) {
        return config.getOptionalValue(name, String.class).map(s -> Boolean.parseBoolean(s.trim())).orElse(defaultValue);
    }

    public Duration getMillis(String name, long defaultMillis) {
        return Duration.ofMillis(getInt(name, (int) defaultMillis));
    }
}
