package org.sipcharge.cdr.ber;

import java.util.Objects;

/**
 * TS 32.298 5.2.1 SubscriptionID: an identifier of the served subscriber, from the Subscription-Id AVP of
 * the ACR.
 *
 * @param type subscriptionIDType [0]
 * @param data subscriptionIDData [1], e.g. an E.164 number or a SIP URI
 */
public record SubscriptionId(SubscriptionIdType type, String data) {

    public SubscriptionId {
        Objects.requireNonNull(type, "type");
        Fields.utf8(data, "data");
    }
}
