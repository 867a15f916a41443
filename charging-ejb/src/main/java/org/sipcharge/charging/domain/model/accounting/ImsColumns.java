package org.sipcharge.charging.domain.model.accounting;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import org.sipcharge.charging.application.ImsChargingInfo;

import java.util.List;

/**
 * The IMS charging details of a record or a session as four columns (Flyway V6), shared by {@link AccountingSession}
 * and {@link PendingAccountingRequest}. The SDP media lines are kept as one text, one line per media line.
 */
@Embeddable
public class ImsColumns {

    /** Room for {@link ImsChargingInfo}'s bounded media lines joined by newlines. */
    static final int SDP_MEDIA_LENGTH = 1100;

    @Column(name = "ICID", length = ImsChargingInfo.MAX_IDENTIFIER_LENGTH)
    private String icid;

    @Column(name = "ORIGINATING_IOI", length = ImsChargingInfo.MAX_IDENTIFIER_LENGTH)
    private String originatingIoi;

    @Column(name = "TERMINATING_IOI", length = ImsChargingInfo.MAX_IDENTIFIER_LENGTH)
    private String terminatingIoi;

    @Column(name = "SDP_MEDIA", length = SDP_MEDIA_LENGTH)
    private String sdpMedia;

    protected ImsColumns() {
    }

    public static ImsColumns of(ImsChargingInfo ims) {
        ImsColumns c = new ImsColumns();
        c.fillFrom(ims);
        return c;
    }

    /** Takes the details that are still missing here from {@code ims}; values already held are kept. */
    public void fillFrom(ImsChargingInfo ims) {
        if (icid == null) icid = ims.icid();
        if (originatingIoi == null) originatingIoi = ims.originatingIoi();
        if (terminatingIoi == null) terminatingIoi = ims.terminatingIoi();
        if (sdpMedia == null && !ims.sdpMedia().isEmpty()) sdpMedia = String.join("\n", ims.sdpMedia());
    }

    /** The four columns as read by JDBC (AccountingSession.read); null when all are, as Hibernate leaves it. */
    static ImsColumns ofColumns(String icid, String originatingIoi, String terminatingIoi, String sdpMedia) {
        if (icid == null && originatingIoi == null && terminatingIoi == null && sdpMedia == null) {
            return null;
        }
        ImsColumns c = new ImsColumns();
        c.icid = icid;
        c.originatingIoi = originatingIoi;
        c.terminatingIoi = terminatingIoi;
        c.sdpMedia = sdpMedia;
        return c;
    }

    String icid() { return icid; }
    String originatingIoi() { return originatingIoi; }
    String terminatingIoi() { return terminatingIoi; }
    String sdpMedia() { return sdpMedia; }

    public ImsChargingInfo toInfo() {
        return new ImsChargingInfo(icid, originatingIoi, terminatingIoi,
                sdpMedia == null || sdpMedia.isEmpty() ? List.of() : List.of(sdpMedia.split("\n")));
    }
}
