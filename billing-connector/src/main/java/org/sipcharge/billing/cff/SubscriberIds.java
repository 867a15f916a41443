package org.sipcharge.billing.cff;

import org.sipcharge.cdr.ChargingDataRecord;

import java.util.Locale;

/**
 * The identities of the served user that filtering rules match: SIP URI, MSISDN and IMSI, each null when unknown.
 * From a CDR: the SIP URI is the calling party (the served user of a terminating-side B2BUA's originating leg),
 * normalised to {@code sip:user@host} (scheme and host lower-case, no port, parameters or headers); the MSISDN is
 * the Subscription-Id END_USER_E164 the CTF gave, else the number of a {@code tel:} URI or of a {@code sip:} URI whose
 * user part is a global number ({@code +} and digits, RFC 3966 / RFC 3261 19.1.6), without the {@code +}; the IMSI is
 * the Subscription-Id END_USER_IMSI (TS 32.299 Service-Information), present only when the CTF sends one.
 */
public record SubscriberIds(String sipUri, String msisdn, String imsi) {

    public static SubscriberIds of(ChargingDataRecord cdr) {
        String uri = cdr.callingParty();
        String e164 = cdr.subscriptionE164();
        String msisdn = e164 != null ? (e164.startsWith("+") ? e164.substring(1) : e164) : msisdnOf(uri);
        return new SubscriberIds(normaliseSipUri(uri), msisdn, cdr.subscriptionImsi());
    }

    /** {@code sip:user@host} in lower-case scheme and host, or null when the text is not a sip/sips/tel URI. */
    public static String normaliseSipUri(String uri) {
        if (uri == null) {
            return null;
        }
        String u = uri.trim();
        int lt = u.indexOf('<');
        if (lt >= 0) {
            int gt = u.indexOf('>', lt);
            u = gt > lt ? u.substring(lt + 1, gt) : u.substring(lt + 1);
        }
        String lower = u.toLowerCase(Locale.ROOT);
        String scheme;
        if (lower.startsWith("sip:")) {
            scheme = "sip:";
        } else if (lower.startsWith("sips:")) {
            scheme = "sips:";
        } else if (lower.startsWith("tel:")) {
            String number = u.substring(4);
            int semi = number.indexOf(';');
            return "tel:" + (semi >= 0 ? number.substring(0, semi) : number);
        } else {
            return null;
        }
        String rest = u.substring(scheme.length());
        int end = rest.length();
        for (char c : new char[]{';', '?'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        rest = rest.substring(0, end);
        int at = rest.lastIndexOf('@');
        String user = at >= 0 ? rest.substring(0, at) : null;
        String host = at >= 0 ? rest.substring(at + 1) : rest;
        int colon = host.startsWith("[") ? host.indexOf(':', host.indexOf(']')) : host.indexOf(':');
        if (colon >= 0) {
            host = host.substring(0, colon);
        }
        host = host.toLowerCase(Locale.ROOT);
        return scheme + (user == null ? "" : user + "@") + host;
    }

    /** The digits of a global number in a tel: or sip: URI (without '+'), or null. */
    public static String msisdnOf(String uri) {
        String n = normaliseSipUri(uri);
        if (n == null) {
            return null;
        }
        String user;
        if (n.startsWith("tel:")) {
            user = n.substring(4);
        } else {
            int colon = n.indexOf(':');
            int at = n.lastIndexOf('@');
            if (at < 0) {
                return null;
            }
            user = n.substring(colon + 1, at);
        }
        user = user.replace("-", "").replace(".", "").replace("(", "").replace(")", "");
        if (user.startsWith("+") && user.length() > 1 && user.substring(1).chars().allMatch(Character::isDigit)) {
            return user.substring(1);
        }
        return null;
    }
}
