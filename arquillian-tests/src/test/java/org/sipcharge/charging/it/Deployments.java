package org.sipcharge.charging.it;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.jboss.shrinkwrap.resolver.api.maven.Maven;
import org.jboss.shrinkwrap.resolver.api.maven.ScopeType;
import org.jboss.shrinkwrap.resolver.api.maven.coordinate.MavenDependencies;
import org.jboss.shrinkwrap.resolver.api.maven.coordinate.MavenDependency;
import org.jboss.shrinkwrap.resolver.api.maven.coordinate.MavenDependencyExclusion;
import org.sipcharge.cdr.ChargingDataRecord;
import org.sipcharge.charging.application.internal.CdfAccountingService;
import org.sipcharge.charging.domain.model.accounting.AccountingOutcome;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordLog;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.domain.model.accounting.AccountingSession;
import org.sipcharge.charging.domain.model.cdr.Cdr;

import java.io.File;

/**
 * The test deployments, built on the client side only (this class is not part of any deployment, so the
 * ShrinkWrap resolver never has to load inside the server).
 */
final class Deployments {

    private Deployments() {
    }

    /**
     * The CDF's unit of work as a WAR: CdfAccountingService, the entities and value types it uses, the CDR model
     * from cdr-jms, and Hibernate in WEB-INF/lib as the EAR has it in lib/. The persistence unit is the product's
     * with jdbc/__default (H2 in every Payara domain) as its data source.
     */
    static WebArchive cdfUnitOfWork(Class<?>... testClasses) {
        return ShrinkWrap.create(WebArchive.class, "cdf-unit-of-work.war")
                // under test
                .addClass(CdfAccountingService.class)
                .addClass(org.sipcharge.charging.application.internal.CdfRecordWriter.class)
                .addClass(org.sipcharge.charging.domain.model.JdbcInstants.class)
                .addClass(org.sipcharge.charging.domain.model.JdbcDialect.class)
                // domain: entities and the value types record() takes and returns
                .addClasses(AccountingRequest.class, AccountingRecordType.class, AccountingOutcome.class,
                        AccountingRecordLog.class, AccountingSession.class, Cdr.class,
                        org.sipcharge.charging.domain.model.accounting.ImsColumns.class,
                        org.sipcharge.charging.domain.model.cdr.PartialRecordPolicy.class,
                        // module charging-api: the IMS charging details a request and a session carry
                        org.sipcharge.charging.application.ImsChargingInfo.class)
                // infrastructure: the configuration reader the service's partial-record policy comes from
                .addClass(org.sipcharge.charging.infrastructure.config.ChargingConfig.class)
                // domain: the CDR model and its encodings (module cdr-jms: text, and TS 32.298 BER with asn1bean)
                .addPackages(true, ChargingDataRecord.class.getPackage())
                .addAsLibraries(Maven.resolver().resolve("com.beanit:asn1bean:" + System.getProperty("asn1bean.version", "1.14.0"))
                        .withoutTransitivity().asFile())
                // infrastructure: JPA unit, CDI, the JPA provider and the test's own helpers
                .addAsResource("test-persistence.xml", "META-INF/persistence.xml")
                .addAsWebInfResource("test-beans.xml", "beans.xml")
                .addAsLibraries(hibernate())
                .addClasses(testClasses);
    }

    /**
     * hibernate-core and everything it needs, without the APIs Payara provides (the same exclusions as the
     * hibernate-core dependency in ear/pom.xml). The version comes from the parent POM through failsafe.
     */
    private static File[] hibernate() {
        String version = System.getProperty("hibernate.version");
        if (version == null || version.isBlank()) {
            throw new IllegalStateException("system property hibernate.version is not set (failsafe sets it from the POM)");
        }
        MavenDependency hibernateCore = MavenDependencies.createDependency(
                "org.hibernate.orm:hibernate-core:" + version, ScopeType.COMPILE, false,
                exclusion("jakarta.persistence:jakarta.persistence-api"),
                exclusion("jakarta.transaction:jakarta.transaction-api"),
                exclusion("jakarta.inject:jakarta.inject-api"),
                exclusion("jakarta.xml.bind:jakarta.xml.bind-api"),
                exclusion("jakarta.activation:jakarta.activation-api"));
        return Maven.resolver()
                .addDependencies(hibernateCore)
                .resolve()
                .withTransitivity()
                .asFile();
    }

    private static MavenDependencyExclusion exclusion(String groupAndArtifact) {
        return MavenDependencies.createExclusion(groupAndArtifact);
    }
}
