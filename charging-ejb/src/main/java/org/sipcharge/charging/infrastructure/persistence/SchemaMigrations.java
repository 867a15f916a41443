package org.sipcharge.charging.infrastructure.persistence;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Brings the CDF's database schema to the version this release needs, with Flyway, before anything else of the
 * charging module touches the database (the other startup beans depend on this one). Migrations are SQL files in
 * {@code db/migration/<vendor>} (h2, postgresql). A database made by an earlier release, whose schema Hibernate
 * created, is baselined at version 1. A failed migration fails the deployment: the CDF never runs on a schema it
 * does not know (DB-002 says why).
 */
@Singleton
@Startup
@TransactionManagement(TransactionManagementType.BEAN)
public class SchemaMigrations {

    private static final Logger LOG = Logger.getLogger(SchemaMigrations.class.getName());

    @Resource(lookup = "jdbc/sipcharge")
    private DataSource dataSource;

    private volatile String version = "";

    @PostConstruct
    void migrate() {
        String vendor;
        try (Connection c = dataSource.getConnection()) {
            vendor = vendor(c.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("DB-002 the CDF database (jdbc/sipcharge) cannot be reached: " + e.getMessage(), e);
        }
        try {
            Flyway flyway = Flyway.configure(SchemaMigrations.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations("classpath:db/migration/" + vendor)
                    .baselineOnMigrate(true)
                    .baselineVersion("1")
                    .baselineDescription("schema created by Hibernate before Flyway")
                    .load();
            MigrateResult result = flyway.migrate();
            version = result.targetSchemaVersion != null ? result.targetSchemaVersion
                    : String.valueOf(flyway.info().current() == null ? "" : flyway.info().current().getVersion());
            LOG.log(Level.INFO, "DB-001 CDF database ({0}) at schema version {1}; {2} migrations applied now",
                    new Object[]{vendor, version, result.migrationsExecuted});
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "DB-002 schema migration of the CDF database failed: " + e.getMessage(), e);
            throw e;
        }
    }

    /** The schema version after migration (for the status page). */
    public String version() {
        return version;
    }

    static String vendor(String productName) {
        String p = productName.toLowerCase(Locale.ROOT);
        if (p.contains("postgres")) {
            return "postgresql";
        }
        if (p.contains("h2")) {
            return "h2";
        }
        throw new IllegalStateException("DB-003 the CDF supports H2 and PostgreSQL, not " + productName);
    }
}
