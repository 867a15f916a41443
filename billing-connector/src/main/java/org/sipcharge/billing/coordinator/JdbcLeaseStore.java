package org.sipcharge.billing.coordinator;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The coordinator record in the CDF's database (table {@code BILLING_COORDINATOR}, Flyway V5): every write is one
 * conditional UPDATE in its own auto-committed statement, which the database serialises; that is what makes the
 * epoch unique. Used outside JTA transactions (heartbeat thread), so each call takes and returns a pooled
 * connection.
 */
public final class JdbcLeaseStore implements LeaseStore {

    private static final String READ = "select EPOCH, HOLDER, BEAT from BILLING_COORDINATOR where ID = 1";
    private static final String RENEW = "update BILLING_COORDINATOR set BEAT = BEAT + 1 where ID = 1 and HOLDER = ? and EPOCH = ?";
    private static final String TAKE_OVER = "update BILLING_COORDINATOR set EPOCH = EPOCH + 1, HOLDER = ?, BEAT = 0, CHANGED_AT = current_timestamp"
            + " where ID = 1 and EPOCH = ? and BEAT = ? and HOLDER = ?";
    private static final String TAKE_VACANT = "update BILLING_COORDINATOR set EPOCH = EPOCH + 1, HOLDER = ?, BEAT = 0, CHANGED_AT = current_timestamp"
            + " where ID = 1 and EPOCH = ? and BEAT = ? and HOLDER is null";
    private static final String RESIGN = "update BILLING_COORDINATOR set HOLDER = null, CHANGED_AT = current_timestamp"
            + " where ID = 1 and HOLDER = ? and EPOCH = ?";
    private static final String MEMBER_UPDATE = "update BILLING_MEMBER set BEAT_AT = current_timestamp, ROLE = ?, EPOCH = ? where INSTANCE = ?";
    private static final String MEMBER_INSERT = "insert into BILLING_MEMBER (INSTANCE, BEAT_AT, ROLE, EPOCH) values (?, current_timestamp, ?, ?)";
    private static final String MEMBERS = "select INSTANCE, ROLE, EPOCH, BEAT_AT, current_timestamp from BILLING_MEMBER order by INSTANCE";

    private final DataSource dataSource;

    public JdbcLeaseStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Lease read() throws LeaseStoreException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(READ); ResultSet r = s.executeQuery()) {
            if (!r.next()) {
                throw new LeaseStoreException("BILLING_COORDINATOR has no row 1 (Flyway V5 not applied?)", null);
            }
            return new Lease(r.getLong(1), r.getString(2), r.getLong(3));
        } catch (SQLException e) {
            throw failed("read", e);
        }
    }

    @Override
    public boolean renew(String holder, long epoch) throws LeaseStoreException {
        return update("renew", RENEW, holder, epoch);
    }

    @Override
    public boolean takeOver(Lease expected, String candidate) throws LeaseStoreException {
        boolean vacant = expected.holder() == null;
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(vacant ? TAKE_VACANT : TAKE_OVER)) {
            s.setString(1, candidate);
            s.setLong(2, expected.epoch());
            s.setLong(3, expected.beat());
            if (!vacant) {
                s.setString(4, expected.holder());
            }
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failed("take over", e);
        }
    }

    @Override
    public boolean resign(String holder, long epoch) throws LeaseStoreException {
        return update("resign", RESIGN, holder, epoch);
    }

    private boolean update(String what, String sql, String holder, long epoch) throws LeaseStoreException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, holder);
            s.setLong(2, epoch);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failed(what, e);
        }
    }

    /** Records this instance's heartbeat for the admin view. */
    public void memberBeat(String instance, String role, long epoch) throws LeaseStoreException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement(MEMBER_UPDATE)) {
                s.setString(1, role);
                s.setLong(2, epoch);
                s.setString(3, instance);
                if (s.executeUpdate() == 1) {
                    return;
                }
            }
            try (PreparedStatement s = c.prepareStatement(MEMBER_INSERT)) {
                s.setString(1, instance);
                s.setString(2, role);
                s.setLong(3, epoch);
                s.executeUpdate();
            }
        } catch (SQLException e) {
            throw failed("member heartbeat", e);
        }
    }

    /** A member's last heartbeat as the database saw it. */
    public record Member(String instance, String role, long epoch, long millisSinceBeat) {
    }

    public List<Member> members() throws LeaseStoreException {
        List<Member> members = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(MEMBERS); ResultSet r = s.executeQuery()) {
            while (r.next()) {
                long age = r.getTimestamp(5).getTime() - r.getTimestamp(4).getTime();
                members.add(new Member(r.getString(1), r.getString(2), r.getLong(3), Math.max(0, age)));
            }
            return members;
        } catch (SQLException e) {
            throw failed("list members", e);
        }
    }

    private static LeaseStoreException failed(String what, SQLException e) {
        return new LeaseStoreException("coordinator record: " + what + " failed: " + e.getMessage(), e);
    }
}
