package org.sipcharge.cdr.ber;

import java.util.List;

/**
 * TS 32.298 5.2.3.1 SDP-Media-Component: one media line of the negotiated SDP.
 *
 * @param mediaName         sDP-Media-Name [0], the "m=" line, e.g. {@code audio 49170 RTP/AVP 0}; or null
 * @param mediaDescriptions sDP-Media-Descriptions [1], the "a=" and "c=" lines of that medium; may be empty
 */
public record SdpMediaComponent(String mediaName, List<String> mediaDescriptions) {

    public SdpMediaComponent {
        Fields.optionalGraphic(mediaName, "mediaName");
        mediaDescriptions = Fields.list(mediaDescriptions, "mediaDescriptions", d -> Fields.graphic(d, "mediaDescription"));
        if (mediaName == null && mediaDescriptions.isEmpty()) {
            throw new IllegalArgumentException("SdpMediaComponent needs a media name or a media description");
        }
    }
}
