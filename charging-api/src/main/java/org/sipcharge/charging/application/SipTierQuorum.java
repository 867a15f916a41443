package org.sipcharge.charging.application;

import com.hazelcast.cluster.Member;

import java.util.Collection;

/**
 * The majority rule of a split grid, one definition for the call store and the accounting session store: a member of
 * the SIP tier acts (answers calls, assigns record numbers) only while it sees more than half of the tier's data
 * members. Lite members hold no data and the DAS is not of the tier, so neither counts.
 *
 * @param expectedMembers data members of the whole SIP tier ({@code sipcharge.grid.expected-members}); 0 or 1: no rule
 * @param dasMemberPort   Hazelcast port of the DAS ({@code sipcharge.grid.das-member-port}); 0: none
 */
public record SipTierQuorum(int expectedMembers, int dasMemberPort) {

    /** No rule: every member always acts (a single server, or a grid whose size is not configured). */
    public static final SipTierQuorum NONE = new SipTierQuorum(0, 0);

    public boolean enforced() {
        return expectedMembers > 1;
    }

    /** Members needed: more than half of the expected ones. */
    public int majority() {
        return expectedMembers / 2 + 1;
    }

    /** Data members of the SIP tier among the grid's members. */
    public long tierMembers(Collection<Member> members) {
        return members.stream().filter(m -> !m.isLiteMember() && m.getAddress().getPort() != dasMemberPort).count();
    }

    public boolean metBy(long tierMembers) {
        return !enforced() || tierMembers >= majority();
    }

    public boolean metBy(Collection<Member> members) {
        return !enforced() || metBy(tierMembers(members));
    }
}
