package org.sipcharge.cdr.ber;

import java.util.Objects;

/**
 * TS 32.298 5.2.3.1 Incomplete-CDR-Indication: which accounting requests of the session the CDF never
 * received, so the record was built from part of the session only.
 *
 * @param acrStartLost   aCRStartLost [0]: ACR [Start] was lost
 * @param acrInterimLost aCRInterimLost [1]
 * @param acrStopLost    aCRStopLost [2]: ACR [Stop] was lost
 */
public record IncompleteCdrIndication(boolean acrStartLost, AcrInterimLost acrInterimLost, boolean acrStopLost) {

    public IncompleteCdrIndication {
        Objects.requireNonNull(acrInterimLost, "acrInterimLost");
    }
}
