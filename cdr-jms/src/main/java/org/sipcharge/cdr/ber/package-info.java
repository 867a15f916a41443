/**
 * The CDR body in its standard form: a TS 32.298 IMS application-server record ({@code IMSRecord} /
 * {@code ASRecord}) encoded in canonical BER. {@link org.sipcharge.cdr.ber.ImsChargingRecord} is the value,
 * {@link org.sipcharge.cdr.ber.CdrBerCodec} turns it into bytes and back.
 *
 * <p>The ASN.1 module is {@code src/main/asn1/SipchargeIMSChargingDataTypes.asn}; the classes in
 * {@code org.sipcharge.cdr.ber.asn1.*} are generated from it at build time by asn1bean and are an
 * implementation detail of the codec: nothing outside this package should use them. Plain Java, no
 * transactions: every method is a pure function of its arguments.
 */
package org.sipcharge.cdr.ber;
