package org.sipcharge.charging.domain.model;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
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

    /**
     * @return null for SQL NULL
     *
     * <p>Through {@code getObject(int)}, not {@code getObject(int, Class)}: Payara's result-set wrapper calls the latter
     * (JDBC 4.1) on the driver by reflection, looking the method up at every call: 6 % of the outbox relay's CPU
     * samples, which reads three of these per CDR (BENCHMARKS.md). H2 2.x answers an {@link OffsetDateTime},
     * PostgreSQL's driver a {@link Timestamp}; both stand for the stored instant.
     */
    public static Instant get(ResultSet rs, int index) throws SQLException {
        Object value = rs.getObject(index);
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        throw new SQLException("column " + index + " holds a " + value.getClass().getName() + ", not a timestamp with time zone");
    }
}
