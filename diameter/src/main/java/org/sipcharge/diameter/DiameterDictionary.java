package org.sipcharge.diameter;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What this node knows of Diameter: applications, commands and AVPs with their data types, M-bit rules and, for
 * Grouped AVPs, their members. Immutable and thread-safe; {@link #standard()} is built once per JVM and covers the
 * RFC 6733 base protocol and base accounting, the RFC 4006 AVPs that TS 32.299 uses, and the TS 32.299 Rf AVPs of
 * IMS offline charging. Other dictionaries are made with {@link #builder()} (e.g. {@code standard().toBuilder()}).
 *
 * <p>Used by {@link DictionaryValidator} and by {@link MessageValidator} (example values of missing AVPs).
 */
public final class DiameterDictionary {

    /** The basic and derived AVP data formats of RFC 6733 4.2 and 4.3.1. */
    public enum DataType {
        OCTET_STRING(0, -1),
        INTEGER32(DiameterConstants.DATA_LENGTH_32, DiameterConstants.DATA_LENGTH_32),
        INTEGER64(DiameterConstants.DATA_LENGTH_64, DiameterConstants.DATA_LENGTH_64),
        UNSIGNED32(DiameterConstants.DATA_LENGTH_32, DiameterConstants.DATA_LENGTH_32),
        UNSIGNED64(DiameterConstants.DATA_LENGTH_64, DiameterConstants.DATA_LENGTH_64),
        FLOAT32(DiameterConstants.DATA_LENGTH_32, DiameterConstants.DATA_LENGTH_32),
        FLOAT64(DiameterConstants.DATA_LENGTH_64, DiameterConstants.DATA_LENGTH_64),
        GROUPED(0, -1),
        /** RFC 6733 4.3.1: AddressType then the address; an IPv4 address is the shortest we produce. */
        ADDRESS(DiameterConstants.ADDRESS_IPV4_LENGTH, -1),
        TIME(DiameterConstants.DATA_LENGTH_32, DiameterConstants.DATA_LENGTH_32),
        UTF8_STRING(0, -1),
        DIAMETER_IDENTITY(0, -1),
        DIAMETER_URI(0, -1),
        ENUMERATED(DiameterConstants.DATA_LENGTH_32, DiameterConstants.DATA_LENGTH_32);

        private final int minimumLength;
        private final int fixedLength;

        DataType(int minimumLength, int fixedLength) {
            this.minimumLength = minimumLength;
            this.fixedLength = fixedLength;
        }

        /** Length of the zero-filled example of a missing AVP of this type (RFC 6733 7.5). */
        public int minimumLength() {
            return minimumLength;
        }

        /** The data length every value of this type has, or -1 when it varies. */
        public int fixedLength() {
            return fixedLength;
        }
    }

    /** An AVP flag rule of the RFC 6733 4.5 table (and of the TS 32.299 7.2 table): MUST, MAY or MUST NOT be set. */
    public enum FlagRule {
        MUST, MAY, MUST_NOT
    }

    /** Which AVPs a Grouped AVP may hold besides its listed members. */
    public enum Membership {
        /** Only the listed members: the grouping's ABNF has no {@code *[AVP]} and lists them all. */
        CLOSED,
        /** The listed members and any other AVP (the ABNF ends in {@code *[AVP]}, or only some members are listed). */
        OPEN,
        /** Any AVPs, not checked: Failed-AVP (RFC 6733 7.5) carries offending AVPs as they were received. */
        OPAQUE
    }

    /** A member of a Grouped AVP; {@code required} for the {@code {AVP}} and {@code <AVP>} of its ABNF. */
    public record Member(int code, long vendorId, boolean required) {
    }

    /**
     * One AVP.
     *
     * @param code          AVP code
     * @param vendorId      0 for IETF AVPs, else the vendor (the V bit is set exactly when it is not 0)
     * @param name          name in its defining document
     * @param type          data format
     * @param mandatoryBit  rule for the M bit; an M bit where it is MUST_NOT is answered 3009
     * @param reference     defining document and clause
     * @param membership    for Grouped: which members besides {@code members}; null otherwise
     * @param members       for Grouped: the members known here, in ABNF order; empty otherwise
     * @param enumValues    for Enumerated whose value set is closed (base protocol): the defined values; null when any
     *                      value is accepted
     */
    public record AvpDefinition(int code, long vendorId, String name, DataType type, FlagRule mandatoryBit,
                                String reference, Membership membership, List<Member> members, Set<Integer> enumValues) {
        public AvpDefinition {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(mandatoryBit, "mandatoryBit");
            if (vendorId < 0 || vendorId > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("Vendor-Id out of range: " + vendorId);
            }
            members = members == null ? List.of() : List.copyOf(members);
            enumValues = enumValues == null ? null : Set.copyOf(enumValues);
            if ((type == DataType.GROUPED) != (membership != null)) {
                throw new IllegalArgumentException(name + ": membership is for Grouped AVPs only, and they need one");
            }
            if (enumValues != null && type != DataType.ENUMERATED) {
                throw new IllegalArgumentException(name + ": enumerated values on a " + type + " AVP");
            }
        }

        /** A non-Grouped AVP. */
        public static AvpDefinition of(int code, long vendorId, String name, DataType type, FlagRule mandatoryBit,
                                       String reference) {
            return new AvpDefinition(code, vendorId, name, type, mandatoryBit, reference, null, List.of(), null);
        }

        /** An Enumerated AVP whose values are limited to {@code values}. */
        public static AvpDefinition enumerated(int code, long vendorId, String name, FlagRule mandatoryBit,
                                               String reference, Integer... values) {
            return new AvpDefinition(code, vendorId, name, DataType.ENUMERATED, mandatoryBit, reference, null, List.of(),
                    Set.of(values));
        }

        /** A Grouped AVP. */
        public static AvpDefinition grouped(int code, long vendorId, String name, FlagRule mandatoryBit, String reference,
                                            Membership membership, Member... members) {
            return new AvpDefinition(code, vendorId, name, DataType.GROUPED, mandatoryBit, reference, membership,
                    List.of(members), null);
        }

        /** Whether {@code code}/{@code vendorId} is one of the listed members. */
        public boolean hasMember(int memberCode, long memberVendorId) {
            for (Member m : members) {
                if (m.code == memberCode && m.vendorId == memberVendorId) {
                    return true;
                }
            }
            return false;
        }

        /** A zero-filled example of this AVP of the minimum length of its type (RFC 6733 7.5, for 5005). */
        public Avp example() {
            return Avp.of(code, vendorId, mandatoryBit != FlagRule.MUST_NOT, new byte[type.minimumLength()]);
        }
    }

    /**
     * One command of one application, with the AVPs its ABNF requires ({@code <AVP>} and {@code {AVP}}).
     *
     * @param requestRequired AVPs a request must carry
     * @param answerRequired  AVPs an answer must carry (an answer with the E bit follows RFC 6733 7.2 instead)
     */
    public record CommandDefinition(int code, long applicationId, String name, String reference,
                                    List<Member> requestRequired, List<Member> answerRequired) {
        public CommandDefinition {
            Objects.requireNonNull(name, "name");
            requestRequired = List.copyOf(requestRequired);
            answerRequired = List.copyOf(answerRequired);
        }
    }

    /** RFC 6733 7.2: what every answer with the E bit carries, whatever its command. */
    static final List<Member> ERROR_ANSWER_REQUIRED = List.of(
            required(DiameterConstants.AVP_ORIGIN_HOST), required(DiameterConstants.AVP_ORIGIN_REALM),
            required(DiameterConstants.AVP_RESULT_CODE));

    private final Map<Long, String> applications;
    private final Map<String, AvpDefinition> byName;
    private final LongTable<AvpDefinition> avps;
    private final LongTable<CommandDefinition> commands;
    private final List<CommandDefinition> commandList;

    private DiameterDictionary(Builder b) {
        this.applications = Collections.unmodifiableMap(new LinkedHashMap<>(b.applications));
        Map<String, AvpDefinition> names = new LinkedHashMap<>();
        this.avps = new LongTable<>(b.avps.size());
        for (AvpDefinition d : b.avps.values()) {
            avps.put(key(d.code(), d.vendorId()), d);
            if (names.put(d.name(), d) != null) {
                throw new IllegalStateException("two AVPs named " + d.name());
            }
        }
        this.byName = Collections.unmodifiableMap(names);
        this.commands = new LongTable<>(b.commands.size());
        for (CommandDefinition c : b.commands.values()) {
            commands.put(commandKey(c.code(), c.applicationId()), c);
        }
        this.commandList = List.copyOf(b.commands.values());
        // every member named by a Grouped AVP or a command is defined: a typo would silently accept anything
        for (AvpDefinition d : b.avps.values()) {
            for (Member m : d.members()) {
                requireDefined(m, d.name());
            }
        }
        for (CommandDefinition c : commandList) {
            if (!applications.containsKey(c.applicationId())) {
                throw new IllegalStateException(c.name() + " belongs to undefined application " + c.applicationId());
            }
            c.requestRequired().forEach(m -> requireDefined(m, c.name()));
            c.answerRequired().forEach(m -> requireDefined(m, c.name()));
        }
    }

    private void requireDefined(Member m, String where) {
        if (avp(m.code(), m.vendorId()) == null) {
            throw new IllegalStateException(where + " names undefined AVP " + m.code() + "/" + m.vendorId());
        }
    }

    /** The dictionary of RFC 6733, RFC 4006 (the AVPs Rf uses) and TS 32.299 Rf; built once. */
    public static DiameterDictionary standard() {
        return StandardDictionary.INSTANCE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding everything this dictionary holds, to extend it. */
    public Builder toBuilder() {
        Builder b = new Builder();
        applications.forEach(b::application);
        byName.values().forEach(b::avp);
        commandList.forEach(b::command);
        return b;
    }

    /** The definition of an AVP, or null when this dictionary does not know it. */
    public AvpDefinition avp(int code, long vendorId) {
        return avps.get(key(code, vendorId));
    }

    /** The definition of the AVP this received one claims to be (its code and Vendor-Id), or null. */
    public AvpDefinition avp(Avp avp) {
        return avps.get(key(avp.code(), avp.vendorId()));
    }

    public Optional<AvpDefinition> find(int code, long vendorId) {
        return Optional.ofNullable(avp(code, vendorId));
    }

    /** By the name in its defining document ("Service-Information", "SIP-Method"...). */
    public Optional<AvpDefinition> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Every AVP, in the order defined. */
    public Collection<AvpDefinition> avps() {
        return byName.values();
    }

    public boolean supportsApplication(long applicationId) {
        return applications.containsKey(applicationId);
    }

    /** Application ids and their names. */
    public Map<Long, String> applications() {
        return applications;
    }

    /** The command of an application, or null. */
    public CommandDefinition command(int code, long applicationId) {
        return commands.get(commandKey(code, applicationId));
    }

    public List<CommandDefinition> commands() {
        return commandList;
    }

    static Member required(int code) {
        return new Member(code, 0, true);
    }

    private static long key(int code, long vendorId) {
        return (vendorId << 32) | (code & 0xFFFFFFFFL);
    }

    /** Application id (32 bits) above the command code (24 bits, RFC 6733 3): unique. */
    private static long commandKey(int code, long applicationId) {
        return (applicationId << 24) | (code & DiameterConstants.COMMAND_CODE_MAX);
    }

    /** Collects definitions; {@link #build()} checks that every member named is defined. */
    public static final class Builder {
        private final Map<Long, String> applications = new LinkedHashMap<>();
        private final Map<Long, AvpDefinition> avps = new LinkedHashMap<>();
        private final Map<List<Long>, CommandDefinition> commands = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder application(long id, String name) {
            applications.put(id, name);
            return this;
        }

        /** Adds or replaces (same code and vendor) an AVP. */
        public Builder avp(AvpDefinition d) {
            avps.put(key(d.code(), d.vendorId()), d);
            return this;
        }

        /** Adds or replaces (same code and application) a command. */
        public Builder command(CommandDefinition c) {
            commands.put(List.of((long) c.code(), c.applicationId()), c);
            return this;
        }

        /**
         * @throws IllegalStateException when a Grouped AVP or a command names an AVP not defined, or a command
         *         belongs to an application not defined
         */
        public DiameterDictionary build() {
            return new DiameterDictionary(this);
        }
    }

    /** Open-addressing map from a long key, so that the validator looks AVPs up without boxing. */
    static final class LongTable<V> {
        private final long[] keys;
        private final Object[] values;
        private final boolean[] used;
        private final int mask;

        LongTable(int expected) {
            int capacity = Integer.highestOneBit(Math.max(4, expected * 2 + 1) * 2 - 1);
            keys = new long[capacity];
            values = new Object[capacity];
            used = new boolean[capacity];
            mask = capacity - 1;
        }

        void put(long key, V value) {
            int i = slot(key);
            while (used[i] && keys[i] != key) {
                i = (i + 1) & mask;
            }
            used[i] = true;
            keys[i] = key;
            values[i] = value;
        }

        @SuppressWarnings("unchecked")
        V get(long key) {
            int i = slot(key);
            while (used[i]) {
                if (keys[i] == key) {
                    return (V) values[i];
                }
                i = (i + 1) & mask;
            }
            return null;
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h >>> 40) & mask;
        }
    }

    /** Holder of the standard dictionary: built on first use, once. */
    private static final class StandardDictionary {
        static final DiameterDictionary INSTANCE = StandardDefinitions.build();
    }

    /** For error messages. */
    static String describe(AvpDefinition d) {
        return d.name() + " (" + d.code() + (d.vendorId() != 0 ? "/" + d.vendorId() : "") + ")";
    }
}
