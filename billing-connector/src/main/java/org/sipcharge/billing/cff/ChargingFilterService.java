package org.sipcharge.billing.cff;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.LocalBean;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.sipcharge.cdr.ChargingDataRecord;
import org.sipcharge.cff.ChargingFilterAdmin;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The charging filtering function of this instance: rules stored with JPA (any instance may change them), decisions
 * from an in-memory snapshot that is reloaded after each change here and at least every {@value #REFRESH_MILLIS} ms
 * (changes made on other instances take effect within that time). Defaults per billing system:
 * {@code sipcharge.cff.default.<system>} = IMMEDIATE (default) or NEVER. {@code @LocalBean}: the router uses the
 * no-interface view ({@link #decide}), the admin API the {@link ChargingFilterAdmin} view.
 */
@Singleton
@LocalBean
@DependsOn("sipcharge-charging-ejb.jar#SchemaMigrations")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class ChargingFilterService implements ChargingFilterAdmin {

    static final long REFRESH_MILLIS = 5_000;
    public static final String DEFAULT_KEY_PREFIX = "sipcharge.cff.default.";
    private static final Logger LOG = Logger.getLogger(ChargingFilterService.class.getName());

    @PersistenceContext(unitName = "sipcharge-billing")
    private EntityManager em;

    /** This bean through the container (for {@link #reloadIfStale}'s transaction attribute). */
    @Resource
    private SessionContext context;
    private ChargingFilterService self;

    private final Map<String, FilterRule.Action> defaults = new HashMap<>();
    private volatile ChargingFilter snapshot;
    private volatile long loadedAt;

    @PostConstruct
    void configure() {
        self = context.getBusinessObject(ChargingFilterService.class);
        Config config = ConfigProvider.getConfig(ChargingFilterService.class.getClassLoader());
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(DEFAULT_KEY_PREFIX)) {
                String system = name.substring(DEFAULT_KEY_PREFIX.length());
                String v = config.getValue(name, String.class).trim().toUpperCase(Locale.ROOT);
                if (!v.equals("IMMEDIATE") && !v.equals("NEVER")) {
                    throw new IllegalStateException("CFF-001 " + name + "=" + v + ": a default is IMMEDIATE or NEVER");
                }
                defaults.put(system, FilterRule.Action.valueOf(v));
            }
        }
        LOG.info(() -> "CFF-002 charging filtering function ready; defaults " + (defaults.isEmpty() ? "IMMEDIATE for every billing system" : defaults));
    }

    /**
     * The decision for one CDR and one billing system, from the snapshot, in the caller's transaction if it has one:
     * no container-managed suspension of it per CDR (when the router consumed in XA transactions, that cost two round
     * trips to the broker per enlisted JMS session and CDR: XA end with TMSUSPEND, start with TMRESUME). Only a
     * reload leaves the caller's transaction.
     */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public FilterDecision decide(String billingSystem, ChargingDataRecord cdr, Instant now) {
        ChargingFilter f = snapshot;
        if (f == null || System.currentTimeMillis() - loadedAt >= REFRESH_MILLIS) {
            // Through the container: the rules are read outside any caller's transaction (a caller's XA transaction
            // should not enlist the database for a snapshot reload).
            f = self.reloadIfStale();
        }
        return f.decide(billingSystem, SubscriberIds.of(cdr), now);
    }

    /**
     * Reloads the rules when the snapshot is missing or older than {@value #REFRESH_MILLIS} ms, and returns the snapshot.
     * For {@link #decide} only (through the container, so that the read runs outside any transaction).
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public ChargingFilter reloadIfStale() {
        ChargingFilter f = snapshot;
        if (f == null || System.currentTimeMillis() - loadedAt >= REFRESH_MILLIS) {
            synchronized (this) {
                f = snapshot;
                if (f == null || System.currentTimeMillis() - loadedAt >= REFRESH_MILLIS) {
                    try {
                        f = load();
                    } catch (RuntimeException e) {
                        if (f == null) {
                            throw e;
                        }
                        // Keep deciding with the rules known; the database is back when a reload works.
                        LOG.log(Level.WARNING, "CFF-010 rules not reloaded, using the {0} known: {1}", new Object[]{f.rules().size(), e.toString()});
                        loadedAt = System.currentTimeMillis();
                    }
                }
            }
        }
        return f;
    }

    private ChargingFilter load() {
        List<FilterRule> rules = em.createNamedQuery("BillingRuleEntity.all", BillingRuleEntity.class).getResultList()
                .stream().map(BillingRuleEntity::toRule).toList();
        ChargingFilter f = new ChargingFilter(rules, defaults);
        snapshot = f;
        loadedAt = System.currentTimeMillis();
        return f;
    }

    private void invalidate() {
        loadedAt = 0;
    }

    // ------------------------------------------------------------------ administration

    @Override
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public List<Rule> list() {
        return em.createNamedQuery("BillingRuleEntity.all", BillingRuleEntity.class).getResultList().stream()
                .map(ChargingFilterService::view).toList();
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Rule get(long id) {
        BillingRuleEntity e = em.find(BillingRuleEntity.class, id);
        return e == null ? null : view(e);
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Rule create(Rule rule) {
        BillingRuleEntity e = new BillingRuleEntity(parse(rule));
        em.persist(e);
        em.flush();
        invalidate();
        LOG.info(() -> "CFF-020 rule " + e.id() + " created: " + e.toRule());
        return view(e);
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Rule update(long id, Rule rule, long version) {
        FilterRule parsed = parse(rule);
        BillingRuleEntity e = em.find(BillingRuleEntity.class, id);
        if (e == null) {
            throw new RuleNotFoundException("no rule " + id);
        }
        if (e.version() != version) {
            throw new StaleRuleException("rule " + id + " is at version " + e.version() + ", not " + version + ": read it again");
        }
        e.assign(parsed);
        try {
            em.flush();
        } catch (jakarta.persistence.OptimisticLockException ex) {
            throw new StaleRuleException("rule " + id + " was changed meanwhile: read it again");
        }
        invalidate();
        LOG.info(() -> "CFF-021 rule " + id + " updated: " + e.toRule());
        return view(e);
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public boolean delete(long id) {
        BillingRuleEntity e = em.find(BillingRuleEntity.class, id);
        if (e == null) {
            return false;
        }
        em.remove(e);
        invalidate();
        LOG.info(() -> "CFF-022 rule " + id + " deleted");
        return true;
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public Decision explain(String billingSystem, String sipUri, String msisdn, String imsi) {
        if (billingSystem == null || !FilterRule.SYSTEM.matcher(billingSystem).matches()) {
            throw new InvalidRuleException("billingSystem", "billingSystem must be 1-32 of a-z, 0-9 and '-'");
        }
        SubscriberIds ids = new SubscriberIds(sipUri == null ? null : SubscriberIds.normaliseSipUri(sipUri),
                msisdn == null ? null : msisdn.startsWith("+") ? msisdn.substring(1) : msisdn, imsi);
        invalidate();
        FilterDecision d = reloadIfStale().decide(billingSystem, ids, Instant.now());
        return new Decision(d.action().name(), d.releaseAt() == null ? null : d.releaseAt().toString(), d.ruleId(), d.explanation());
    }

    // ------------------------------------------------------------------ mapping

    static FilterRule parse(Rule r) {
        if (r == null) {
            throw new InvalidRuleException("body", "a rule object is required");
        }
        try {
            return new FilterRule(0, r.billingSystem(), parseEnum(FilterRule.IdentityType.class, "identityType", r.identityType()),
                    parseEnum(FilterRule.MatchKind.class, "matchKind", r.matchKind()), r.pattern(),
                    parseEnum(FilterRule.Action.class, "action", r.action()), time("windowStart", r.windowStart()),
                    time("windowEnd", r.windowEnd()), zone(r.zone()), r.description());
        } catch (FilterRule.InvalidRuleException e) {
            throw new InvalidRuleException(e.field(), e.getMessage());
        }
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String field, String value) {
        if (value == null || value.isBlank()) {
            return null; // FilterRule names the missing field
        }
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRuleException(field, field + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()) + ", not " + value);
        }
    }

    private static LocalTime time(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalTime.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new InvalidRuleException(field, field + " must be a time of day HH:MM, not " + value);
        }
    }

    private static ZoneId zone(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return ZoneId.of(value.trim());
        } catch (java.time.DateTimeException e) {
            throw new InvalidRuleException("zone", "zone must be a time zone id such as UTC or Europe/Berlin, not " + value);
        }
    }

    static Rule view(BillingRuleEntity e) {
        FilterRule r = e.toRule();
        return new Rule(e.id(), r.billingSystem(), r.identityType().name(), r.matchKind().name(), r.pattern(), r.action().name(),
                r.windowStart() == null ? null : r.windowStart().toString(), r.windowEnd() == null ? null : r.windowEnd().toString(),
                r.action() == FilterRule.Action.HOLD ? r.zone().getId() : null, r.description(), e.version());
    }
}
