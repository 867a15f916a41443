package org.sipcharge.admin.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.sipcharge.admin.SystemStatus;
import org.sipcharge.charging.application.ChargingStatus;
import org.sipcharge.status.BillingConnectorStatus;
import org.sipcharge.status.SipTierStatus;

/** One readiness check per part: the SIP listener, the Diameter peers, the JMS path and the CDF database. */
@ApplicationScoped
public class PartsReadiness {

    @Inject
    SystemStatus status;

    @Produces
    @Readiness
    HealthCheck sipListener() {
        return () -> {
            SipTierStatus.Report r = status.sip();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("sip-listener");
            if (r == null) {
                return b.down().withData("error", "SIP module not available").build();
            }
            b.status(r.listening()).withData("address", String.valueOf(r.listenAddress()));
            if (r.startError() != null) {
                b.withData("error", r.startError());
            }
            return b.build();
        };
    }

    @Produces
    @Readiness
    HealthCheck diameterPeer() {
        return () -> {
            ChargingStatus.Report r = status.charging();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("diameter");
            if (r == null) {
                return b.down().withData("error", "charging module not available").build();
            }
            b.status(r.cdfListening() && r.rfPeerOpen())
                    .withData("cdfListening", r.cdfListening())
                    .withData("cdfAddress", String.valueOf(r.cdfAddress()))
                    .withData("rfPeer", String.valueOf(r.rfPeerAddress()))
                    .withData("rfPeerState", String.valueOf(r.rfPeerState()));
            if (r.cdfError() != null) {
                b.withData("error", r.cdfError());
            }
            return b.build();
        };
    }

    @Produces
    @Readiness
    HealthCheck jms() {
        return () -> {
            ChargingStatus.Report r = status.charging();
            BillingConnectorStatus.Report bill = status.billing();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("jms");
            if (r == null || bill == null) {
                return b.down().withData("error", "charging or billing module not available").build();
            }
            // The billing consumer is created lazily by the container (first message), so it is data, not a condition.
            b.status(r.jmsHealthy())
                    .withData("outboxBacklog", r.outboxBacklog())
                    .withData("billingConsumerActive", bill.consuming());
            if (!r.jmsHealthy() && r.jmsLastError() != null) {
                b.withData("error", r.jmsLastError());
            }
            return b.build();
        };
    }

    @Produces
    @Readiness
    HealthCheck database() {
        return () -> {
            ChargingStatus.Report r = status.charging();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("database");
            if (r == null) {
                return b.down().withData("error", "charging module not available").build();
            }
            b.status(r.databaseError() == null).withData("cdrsCommitted", r.cdrsCommitted());
            if (r.databaseError() != null) {
                b.withData("error", r.databaseError());
            }
            return b.build();
        };
    }
}
