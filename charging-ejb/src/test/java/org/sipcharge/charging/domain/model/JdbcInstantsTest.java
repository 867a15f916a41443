package org.sipcharge.charging.domain.model;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JdbcInstantsTest {

    @Test
    void anInstantComesBackToTheNanosecondAndNullAsNull() throws SQLException {
        JdbcDataSource d = new JdbcDataSource();
        d.setURL("jdbc:h2:mem:instants-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Instant at = Instant.parse("2026-03-29T01:59:59.123456Z"); // the hour the clocks of much of Europe go forward
        try (Connection c = d.getConnection(); Statement st = c.createStatement()) {
            st.execute("create table T (ID int primary key, AT timestamp(6) with time zone, NAME varchar(8))");
            try (PreparedStatement ps = c.prepareStatement("insert into T values (?, ?, 'x')")) {
                ps.setInt(1, 1);
                JdbcInstants.set(ps, 2, at);
                ps.addBatch();
                ps.setInt(1, 2);
                JdbcInstants.set(ps, 2, null);
                ps.addBatch();
                ps.executeBatch();
            }
            try (ResultSet rs = st.executeQuery("select AT, NAME from T order by ID")) {
                assertTrue(rs.next());
                assertEquals(at, JdbcInstants.get(rs, 1));
                SQLException notATime = assertThrows(SQLException.class, () -> JdbcInstants.get(rs, 2));
                assertTrue(notATime.getMessage().contains("java.lang.String"), notATime.getMessage());
                assertTrue(rs.next());
                assertNull(JdbcInstants.get(rs, 1));
            }
        }
    }

    @Test
    void aTimestampAsPostgreSqlsDriverAnswersForTimestamptzIsTheSameInstant() throws SQLException {
        Instant at = Instant.parse("2026-10-25T00:30:00.000001Z");
        ResultSet postgres = (ResultSet) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{ResultSet.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getObject") && args.length == 1) {
                        return Timestamp.from(at);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        assertEquals(at, JdbcInstants.get(postgres, 3));
    }
}
