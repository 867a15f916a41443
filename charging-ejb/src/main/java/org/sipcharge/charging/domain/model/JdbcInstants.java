package org.sipcharge.charging.domain.model;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * An {@link Instant} in a {@code timestamp with time zone} column, written at UTC as Hibernate writes it, for the rows
 * the CDF reads and writes in plain JDBC (sessions, records, CDRs). H2 2.x and PostgreSQL both map it to
 * {@link OffsetDateTime} (JDBC 4.2).
 */
public final class JdbcInstants {

    private JdbcInstants() {
    }

    public static void set(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, value.atOffset(ZoneOffset.UTC));
        }
    }

    /** @return null for SQL NULL */
    public static Instant get(ResultSet rs, int index) throws SQLException {
        OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
