package org.sipcharge.cdr.ber;

import java.util.List;
import java.util.Objects;

/** Checks shared by the value types of this package; every failure is an {@link IllegalArgumentException}. */
final class Fields {

    /**
     * Longest text field accepted, in characters. Far above any SIP URI, Call-ID or SDP line seen in
     * practice; it keeps one field from filling a record up to {@link CdrBerCodec#MAX_ENCODED_LENGTH}.
     */
    static final int MAX_TEXT_LENGTH = 4096;

    /** Longest list accepted (calling parties, media components, subscription ids, SDP lines). */
    static final int MAX_LIST_SIZE = 64;

    private Fields() {
    }

    /**
     * A value of an ASN.1 GraphicString field (X.680 clause 41): here printable US-ASCII, space included,
     * which is what SIP URIs, Call-IDs, methods and SDP lines are made of. Control characters are not
     * graphic characters and are refused.
     */
    static String graphic(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        if (value.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException(name + " is longer than " + MAX_TEXT_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException(name + " has a character that is not printable US-ASCII at index "
                        + i + " (U+" + String.format("%04X", (int) c) + ")");
            }
        }
        return value;
    }

    /** {@link #graphic} for an optional field: null stays null. */
    static String optionalGraphic(String value, String name) {
        return value == null ? null : graphic(value, name);
    }

    /** A value of an ASN.1 UTF8String field: any Unicode text without unpaired surrogates. */
    static String utf8(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        if (value.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException(name + " is longer than " + MAX_TEXT_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(name + " has an unpaired surrogate at index " + i);
            }
        }
        return value;
    }

    static String optionalUtf8(String value, String name) {
        return value == null ? null : utf8(value, name);
    }

    /** An immutable copy of a list whose elements are non-null and pass {@code check}. */
    static <T> List<T> list(List<T> values, String name, java.util.function.UnaryOperator<T> check) {
        Objects.requireNonNull(values, name);
        if (values.size() > MAX_LIST_SIZE) {
            throw new IllegalArgumentException(name + " has " + values.size() + " entries, more than " + MAX_LIST_SIZE);
        }
        for (int i = 0; i < values.size(); i++) {
            T v = values.get(i);
            if (v == null) {
                throw new IllegalArgumentException(name + "[" + i + "] is null");
            }
            check.apply(v);
        }
        return List.copyOf(values);
    }
}
