package org.sipcharge.systemtests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The product on PostgreSQL for real: server-config starts a private PostgreSQL cluster (Debian's package), the XA
 * pool points at it, Flyway creates the schema at deploy, and charged calls end as CDRs committed in PostgreSQL and
 * delivered to the billing system once.
 */
class PostgresStoreIT {

    static SystemUnderTest sut;

    @AfterAll
    static void stopAll() throws Exception {
        if (sut != null) {
            sut.close();
        }
    }

    @Test
    void callsAreChargedWithTheCdfStoreOnPostgresql() throws Exception {
        sut = SystemUnderTest.prepare("postgres", "", Map.of("SIPCHARGE_DB", "postgres",
                "SIPCHARGE_PG_PORT", Integer.toString(FreePorts.tcpAndUdp())));
        sut.launch();

        assertEquals("1|t", sut.psql("select version, success from flyway_schema_history where version = '1'"),
                "Flyway applied V1 on an empty database");

        int calls = 8;
        Sipp.Result result = Sipp.calls(sut, calls, 500, "postgres");
        assertEquals(calls, result.successfulCalls(), result.summary());
        List<String[]> records = Wait.until(Duration.ofSeconds(60), () -> {
            try {
                return sut.billingRecords();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, r -> r.size() >= calls, calls + " CDRs at the billing simulator");
        Set<String> ids = new HashSet<>();
        for (String[] r : records) {
            assertTrue(ids.add(r[0]), "CDR delivered twice: " + r[0]);
        }
        assertEquals(calls, records.size());

        // What PostgreSQL holds: the CDRs, all published, and START + STOP per call with their unique key.
        assertEquals(Integer.toString(calls), sut.psql("select count(*) from cdr"));
        Wait.until(Duration.ofSeconds(30), () -> {
            try {
                return sut.psql("select count(*) from cdr where published_at is null");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "0"::equals, "every CDR published from the outbox");
        assertEquals(Integer.toString(2 * calls), sut.psql("select count(*) from accounting_record"));
        assertEquals("0", sut.psql("select count(*) from (select session_id, record_number from accounting_record "
                + "group by session_id, record_number having count(*) > 1) d"));
        assertEquals("0", sut.status().get("acr.answeredError"));
    }
}
