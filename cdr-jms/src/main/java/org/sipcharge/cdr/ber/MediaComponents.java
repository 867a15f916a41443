package org.sipcharge.cdr.ber;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * TS 32.298 5.2.3.1 Media-Components-List: the SDP negotiated by one SIP request/response exchange
 * (the INVITE and its answer, or a re-INVITE). A record lists one per exchange.
 *
 * @param sipRequestTime     sIP-Request-Timestamp [0], whole seconds, or null
 * @param sipResponseTime    sIP-Response-Timestamp [1], whole seconds, or null
 * @param components         sDP-Media-Components [2]: the media lines; may be empty
 * @param mediaInitiator     mediaInitiatorFlag [3]: this side initiated the media
 * @param sessionDescription sDP-Session-Description [4]: the session-level SDP lines; may be empty
 */
public record MediaComponents(OffsetDateTime sipRequestTime, OffsetDateTime sipResponseTime,
                              List<SdpMediaComponent> components, boolean mediaInitiator,
                              List<String> sessionDescription) {

    public MediaComponents {
        BcdTimeStamp.requireEncodable(sipRequestTime, "sipRequestTime");
        BcdTimeStamp.requireEncodable(sipResponseTime, "sipResponseTime");
        components = Fields.list(components, "components", c -> c);
        sessionDescription = Fields.list(sessionDescription, "sessionDescription", d -> Fields.graphic(d, "sessionDescription line"));
    }
}
