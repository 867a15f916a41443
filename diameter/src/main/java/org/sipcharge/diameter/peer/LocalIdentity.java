package org.sipcharge.diameter.peer;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Set;

/**
 * What this node says about itself in CER/CEA (RFC 6733 5.3.1, 5.3.2).
 *
 * @param originHost      DiameterIdentity (FQDN) of this node
 * @param originRealm     its realm
 * @param hostIpAddress   Host-IP-Address
 * @param vendorId        Vendor-Id (we use 3GPP's, 10415, as the Rf vendor)
 * @param productName     Product-Name
 * @param firmwareRevision Firmware-Revision
 * @param originStateId   Origin-State-Id: increases at each restart (RFC 6733 8.16); start time in seconds
 * @param acctApplicationIds Acct-Application-Id values advertised (3 for Rf)
 */
public record LocalIdentity(String originHost, String originRealm, InetAddress hostIpAddress, long vendorId,
                            String productName, long firmwareRevision, long originStateId, Set<Long> acctApplicationIds) {

    public LocalIdentity {
        Objects.requireNonNull(originHost, "originHost");
        Objects.requireNonNull(originRealm, "originRealm");
        Objects.requireNonNull(hostIpAddress, "hostIpAddress");
        Objects.requireNonNull(productName, "productName");
        acctApplicationIds = Set.copyOf(acctApplicationIds);
        if (originHost.isBlank() || originRealm.isBlank()) {
            throw new IllegalArgumentException("Origin-Host and Origin-Realm must not be blank");
        }
    }
}
