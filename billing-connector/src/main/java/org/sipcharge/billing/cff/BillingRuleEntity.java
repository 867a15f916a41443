package org.sipcharge.billing.cff;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

/** A stored filtering rule (table BILLING_RULE, Flyway V3). Validated as a {@link FilterRule} before it is stored. */
@Entity
@Table(name = "BILLING_RULE")
@NamedQuery(name = "BillingRuleEntity.all", query = "select r from BillingRuleEntity r order by r.id")
public class BillingRuleEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    @Column(name = "ID")
    private Long id;

    @Column(name = "BILLING_SYSTEM", nullable = false, length = 32)
    private String billingSystem;

    @Column(name = "IDENTITY_TYPE", nullable = false, length = 16)
    private String identityType;

    @Column(name = "MATCH_KIND", nullable = false, length = 16)
    private String matchKind;

    @Column(name = "PATTERN", nullable = false, length = 256)
    private String pattern;

    @Column(name = "RULE_ACTION", nullable = false, length = 16)
    private String action;

    @Column(name = "WINDOW_START", length = 5)
    private String windowStart;

    @Column(name = "WINDOW_END", length = 5)
    private String windowEnd;

    @Column(name = "ZONE_ID", length = 64)
    private String zone;

    @Column(name = "DESCRIPTION", length = 512)
    private String description;

    @Version
    @Column(name = "VERSION", nullable = false)
    private long version;

    @Column(name = "UPDATED_AT", nullable = false)
    private Instant updatedAt;

    protected BillingRuleEntity() {
    }

    BillingRuleEntity(FilterRule r) {
        assign(r);
    }

    final void assign(FilterRule r) {
        billingSystem = r.billingSystem();
        identityType = r.identityType().name();
        matchKind = r.matchKind().name();
        pattern = r.pattern();
        action = r.action().name();
        windowStart = r.windowStart() == null ? null : r.windowStart().toString();
        windowEnd = r.windowEnd() == null ? null : r.windowEnd().toString();
        zone = r.action() == FilterRule.Action.HOLD ? r.zone().getId() : null;
        description = r.description();
        updatedAt = Instant.now();
    }

    FilterRule toRule() {
        return new FilterRule(id == null ? 0 : id, billingSystem, FilterRule.IdentityType.valueOf(identityType),
                FilterRule.MatchKind.valueOf(matchKind), pattern, FilterRule.Action.valueOf(action),
                windowStart == null ? null : LocalTime.parse(windowStart), windowEnd == null ? null : LocalTime.parse(windowEnd),
                zone == null ? null : ZoneId.of(zone), description);
    }

    Long id() {
        return id;
    }

    long version() {
        return version;
    }
}
