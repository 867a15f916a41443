package org.sipcharge.cdr.ber;

/**
 * TS 32.298 5.2.3.1 InterOperatorIdentifiers: the orig-ioi and term-ioi parameters of the
 * P-Charging-Vector header (TS 24.229), identifying the operator networks on either side.
 *
 * @param originatingIoi originatingIOI [0], or null
 * @param terminatingIoi terminatingIOI [1], or null
 */
public record InterOperatorIdentifiers(String originatingIoi, String terminatingIoi) {

    public InterOperatorIdentifiers {
        Fields.optionalGraphic(originatingIoi, "originatingIoi");
        Fields.optionalGraphic(terminatingIoi, "terminatingIoi");
        if (originatingIoi == null && terminatingIoi == null) {
            throw new IllegalArgumentException("InterOperatorIdentifiers needs an originating or a terminating IOI");
        }
    }
}
