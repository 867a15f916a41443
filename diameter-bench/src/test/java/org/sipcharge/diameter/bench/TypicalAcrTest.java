package org.sipcharge.diameter.bench;

import org.junit.jupiter.api.Test;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.DictionaryValidator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The benchmark measures what it claims: a valid ACR of the stated size, fully decoded. */
class TypicalAcrTest {

    @Test
    void fixtureIsAValidAcrOfTheStatedShape() throws Exception {
        DiameterMessage acr = TypicalAcr.build(7);
        byte[] wire = acr.encode();
        assertEquals(544, wire.length);
        DiameterMessage back = DiameterMessage.decode(wire);
        DictionaryValidator.validate(back);
        assertEquals(10, back.avps().size());
        assertEquals(24, TypicalAcr.walk(back.avps()), "AVPs at every level");
        assertArrayEquals(wire, back.encode());
    }

    @Test
    void benchmarkMethodsRun() throws Exception {
        AcrCodecBenchmark b = new AcrCodecBenchmark();
        b.setUp();
        assertEquals(544, b.encode().length);
        assertEquals(24, b.decode());
        assertEquals(24, b.encodeDecode());
        assertEquals(10, b.decodeValidate().avps().size());
        assertEquals(544, b.buildEncode().length, "record 1 has as many digits as record 7");
    }
}
