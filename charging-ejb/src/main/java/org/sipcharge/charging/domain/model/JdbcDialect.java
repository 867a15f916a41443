package org.sipcharge.charging.domain.model;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The two databases the CDF's plain JDBC statements run on (H2, the embedded default, and PostgreSQL), told apart where
 * their SQL or their plans differ.
 */
public final class JdbcDialect {

    private JdbcDialect() {
    }

    /** @return true when {@code c} is a connection to PostgreSQL, false for H2 (or anything else) */
    public static boolean isPostgreSql(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName();
        return product != null && product.toLowerCase(Locale.ROOT).contains("postgres");
    }
}
