package org.sipcharge.diameter.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterFramingException;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.DictionaryValidator;

import java.util.concurrent.TimeUnit;

/**
 * Codec throughput on a typical IMS Rf ACR ({@link TypicalAcr}), one thread: run with {@code -t 1} the figures are
 * per core. Each decode benchmark decodes the whole tree (Grouped members are decoded lazily, so it walks them),
 * so that laziness cannot flatter the figures.
 * <ul>
 *   <li>{@link #encode}: the ACR's AVPs already built, DiameterMessage.encode only;</li>
 *   <li>{@link #decode}: DiameterMessage.decode of the bytes and a walk of every Grouped level;</li>
 *   <li>{@link #encodeDecode}: both, the figure the 500,000/s goal is about;</li>
 *   <li>{@link #decodeValidate}: decode and DictionaryValidator.validate (which walks every level);</li>
 *   <li>{@link #buildEncode}: building the ACR AVP by AVP as RfMessageMapper.toAcr does, then encode (the CTF);</li>
 *   <li>{@link #decodeValidateRead}: decode, validate, and read the values RfMessageMapper.fromAcr reads (the CDF).</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class AcrCodecBenchmark {

    private static final long V3 = DiameterConstants.VENDOR_3GPP;

    private DiameterMessage acr;
    private byte[] wire;
    private long recordNumber;

    @Setup(Level.Trial)
    public void setUp() throws DiameterFramingException {
        acr = TypicalAcr.build(7);
        wire = acr.encode();
        DictionaryValidator.validate(DiameterMessage.decode(wire)); // the fixture is a valid ACR
    }

    @Benchmark
    public byte[] encode() {
        return acr.encode();
    }

    @Benchmark
    public int decode() throws DiameterFramingException {
        return TypicalAcr.walk(DiameterMessage.decode(wire).avps());
    }

    @Benchmark
    public int encodeDecode() throws DiameterFramingException {
        return TypicalAcr.walk(DiameterMessage.decode(acr.encode()).avps());
    }

    @Benchmark
    public DiameterMessage decodeValidate() throws DiameterFramingException {
        DiameterMessage m = DiameterMessage.decode(wire);
        DictionaryValidator.validate(m);
        return m;
    }

    @Benchmark
    public byte[] buildEncode() {
        return TypicalAcr.build(++recordNumber & 0xFFFF).encode();
    }

    @Benchmark
    public void decodeValidateRead(Blackhole bh) throws DiameterFramingException {
        DiameterMessage m = DiameterMessage.decode(wire);
        DictionaryValidator.validate(m);
        bh.consume(m.avp(DiameterConstants.AVP_SESSION_ID).orElseThrow().asUtf8());
        bh.consume(m.avp(DiameterConstants.AVP_ORIGIN_HOST).orElseThrow().asUtf8());
        bh.consume(m.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE).orElseThrow().asUnsigned32());
        bh.consume(m.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32());
        bh.consume(m.avp(DiameterConstants.AVP_EVENT_TIMESTAMP).orElseThrow().asTime());
        Avp ims = m.avp(DiameterConstants.AVP_SERVICE_INFORMATION, V3).orElseThrow().groupedAvps().get(0);
        for (Avp a : ims.groupedAvps()) {
            switch (a.code()) {
                case DiameterConstants.AVP_USER_SESSION_ID, DiameterConstants.AVP_CALLING_PARTY_ADDRESS,
                     DiameterConstants.AVP_CALLED_PARTY_ADDRESS -> bh.consume(a.asUtf8());
                case DiameterConstants.AVP_CAUSE_CODE -> bh.consume(a.asInteger32());
                case DiameterConstants.AVP_TIME_STAMPS -> {
                    for (Avp t : a.groupedAvps()) {
                        bh.consume(t.code() == DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP
                                || t.code() == DiameterConstants.AVP_SIP_RESPONSE_TIMESTAMP ? t.asTime() : t.asUnsigned32());
                    }
                }
                default -> {
                }
            }
        }
    }
}
