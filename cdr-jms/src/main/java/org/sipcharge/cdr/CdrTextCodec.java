package org.sipcharge.cdr;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Walking-skeleton body encoding of a CDR: UTF-8 lines {@code name=value}, in a fixed order, names as
 * the record components. Values never contain line breaks (they are rejected). Documented in
 * docs/billing-jms.md; the TS 32.298 BER encoding replaces it as the JMS body in a later release.
 */
public final class CdrTextCodec {

    /** Bodies larger than this are refused when decoding: a CDR is a few hundred bytes. */
    public static final int MAX_ENCODED_LENGTH = 16 * 1024;

    private CdrTextCodec() {
    }

    public static byte[] encode(ChargingDataRecord cdr) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("cdrId", cdr.cdrId());
        f.put("sessionId", cdr.sessionId());
        f.put("userSessionId", cdr.userSessionId());
        f.put("callingParty", cdr.callingParty());
        f.put("calledParty", cdr.calledParty());
        f.put("serviceRequestTime", cdr.serviceRequestTime() == null ? "" : cdr.serviceRequestTime().toString());
        f.put("deliveryStartTime", cdr.deliveryStartTime().toString());
        f.put("deliveryEndTime", cdr.deliveryEndTime().toString());
        f.put("localSequenceNumber", Long.toString(cdr.localSequenceNumber()));
        f.put("causeForRecordClosing", Integer.toString(cdr.causeForRecordClosing()));
        f.put("incomplete", Boolean.toString(cdr.incomplete()));
        if (cdr.stopLost()) {
            // Only then: the text of every other record is unchanged (incomplete alone means START lost).
            f.put("acrStartLost", Boolean.toString(cdr.startLost()));
            f.put("acrStopLost", "true");
        }
        f.put("nodeAddress", cdr.nodeAddress());
        if (cdr.recordSequenceNumber() > 0) {
            // Only partial records carry it, so the text of a one-record session is unchanged.
            f.put("recordSequenceNumber", Long.toString(cdr.recordSequenceNumber()));
        }
        if (cdr.subscriptionImsi() != null) {
            f.put("subscriptionImsi", cdr.subscriptionImsi());
        }
        if (cdr.subscriptionE164() != null) {
            f.put("subscriptionE164", cdr.subscriptionE164());
        }
        // The IMS details only when present, so the text of a record without them is unchanged.
        optional(f, "sipMethod", cdr.sipMethod());
        optional(f, "serviceContextId", cdr.serviceContextId());
        optional(f, "imsChargingIdentifier", cdr.imsChargingIdentifier());
        optional(f, "originatingIoi", cdr.originatingIoi());
        optional(f, "terminatingIoi", cdr.terminatingIoi());
        for (int i = 0; i < cdr.sdpMedia().size(); i++) {
            f.put("sdpMedia." + (i + 1), cdr.sdpMedia().get(i));
        }
        StringBuilder sb = new StringBuilder(256);
        for (Map.Entry<String, String> e : f.entrySet()) {
            if (e.getValue().indexOf('\n') >= 0 || e.getValue().indexOf('\r') >= 0) {
                throw new IllegalArgumentException("CDR field " + e.getKey() + " contains a line break");
            }
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException naming the first problem when the body is not a valid CDR */
    public static ChargingDataRecord decode(byte[] body) {
        if (body.length > MAX_ENCODED_LENGTH) {
            throw new IllegalArgumentException("CDR body of " + body.length + " bytes exceeds " + MAX_ENCODED_LENGTH);
        }
        Map<String, String> f = new LinkedHashMap<>();
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("CDR line without name=value: " + line);
            }
            if (f.put(line.substring(0, eq), line.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("CDR field repeated: " + line.substring(0, eq));
            }
        }
        try {
            String requestTime = required(f, "serviceRequestTime");
            boolean incomplete = Boolean.parseBoolean(required(f, "incomplete"));
            boolean stopLost = Boolean.parseBoolean(f.getOrDefault("acrStopLost", "false"));
            boolean startLost = f.containsKey("acrStartLost") ? Boolean.parseBoolean(f.get("acrStartLost")) : incomplete && !stopLost;
            return new ChargingDataRecord(required(f, "cdrId"), required(f, "sessionId"), required(f, "userSessionId"),
                    required(f, "callingParty"), required(f, "calledParty"),
                    requestTime.isEmpty() ? null : Instant.parse(requestTime),
                    Instant.parse(required(f, "deliveryStartTime")), Instant.parse(required(f, "deliveryEndTime")),
                    Long.parseLong(required(f, "localSequenceNumber")),
                    Integer.parseInt(required(f, "causeForRecordClosing")),
                    incomplete, required(f, "nodeAddress"),
                    f.containsKey("recordSequenceNumber") ? Long.parseLong(f.get("recordSequenceNumber")) : 0,
                    f.get("subscriptionImsi"), f.get("subscriptionE164"), f.get("sipMethod"), f.get("serviceContextId"),
                    f.get("imsChargingIdentifier"), f.get("originatingIoi"), f.get("terminatingIoi"), sdpLines(f),
                    startLost, stopLost);
        } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("CDR field has a bad value: " + e.getMessage(), e);
        }
    }

    private static void optional(Map<String, String> fields, String name, String value) {
        if (value != null) {
            fields.put(name, value);
        }
    }

    /** sdpMedia.1, sdpMedia.2, ... in order; a gap ends the list and the rest is refused. */
    private static java.util.List<String> sdpLines(Map<String, String> fields) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        while (fields.containsKey("sdpMedia." + (lines.size() + 1))) {
            lines.add(fields.get("sdpMedia." + (lines.size() + 1)));
        }
        long named = fields.keySet().stream().filter(k -> k.startsWith("sdpMedia.")).count();
        if (named != lines.size()) {
            throw new IllegalArgumentException("CDR fields sdpMedia.N are not numbered 1.." + named + " without gaps");
        }
        return lines;
    }

    private static String required(Map<String, String> fields, String name) {
        String v = fields.get(name);
        if (v == null) {
            throw new IllegalArgumentException("CDR field missing: " + name);
        }
        return v;
    }
}
