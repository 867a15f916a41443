package org.sipcharge.diameter;

import org.sipcharge.diameter.DiameterDictionary.AvpDefinition;
import org.sipcharge.diameter.DiameterDictionary.CommandDefinition;
import org.sipcharge.diameter.DiameterDictionary.Member;
import org.sipcharge.diameter.DiameterDictionary.Membership;

import java.util.List;

import static org.sipcharge.diameter.DiameterConstants.*;
import static org.sipcharge.diameter.DiameterDictionary.DataType.*;
import static org.sipcharge.diameter.DiameterDictionary.FlagRule.MAY;
import static org.sipcharge.diameter.DiameterDictionary.FlagRule.MUST;
import static org.sipcharge.diameter.DiameterDictionary.FlagRule.MUST_NOT;

/**
 * Content of {@link DiameterDictionary#standard()}.
 *
 * <p>Sources. Codes, data types and M-bit rules of the base AVPs are those of the RFC 6733 4.5 table; RFC 4006
 * 8.42-8.48 for the credit-control AVPs Rf reuses; TS 32.299 7.2 (codes allocated by TS 29.230) for the 3GPP AVPs.
 * Every entry was cross-checked against the Wireshark Diameter dictionary (dictionary.xml and chargecontrol.xml as
 * shipped in Debian's wireshark-common), which agrees on every code and type used here. Where that file gives no M
 * rule for a newer 3GPP AVP, the rule here is MAY (accept either), so a conforming peer is never refused for it.
 * Grouped memberships follow the ABNF of the same clauses; the large 3GPP groupings (Service-Information,
 * IMS-Information, SDP-Media-Component, Application-Server-Information) list only the members this dictionary
 * defines and are therefore {@link Membership#OPEN}.
 */
final class StandardDefinitions {

    private static final long V0 = 0;
    private static final long TGPP = VENDOR_3GPP;

    private StandardDefinitions() {
    }

    static DiameterDictionary build() {
        DiameterDictionary.Builder b = DiameterDictionary.builder()
                .application(APP_COMMON_MESSAGES, "Diameter Common Messages (RFC 6733 2.4)")
                .application(APP_BASE_ACCOUNTING, "Diameter Base Accounting (RFC 6733 2.4), used by Rf (TS 32.299 6.1)");
        base(b);
        creditControl(b);
        rf(b);
        commands(b);
        return b.build();
    }

    /** RFC 6733 4.5: the base protocol and base accounting AVPs (Vendor-Id 0, V bit MUST NOT). */
    private static void base(DiameterDictionary.Builder b) {
        b.avp(AvpDefinition.of(AVP_USER_NAME, V0, "User-Name", UTF8_STRING, MUST, "RFC 6733 8.14"));
        b.avp(AvpDefinition.of(AVP_CLASS, V0, "Class", OCTET_STRING, MUST, "RFC 6733 8.20"));
        b.avp(AvpDefinition.of(27, V0, "Session-Timeout", UNSIGNED32, MUST, "RFC 6733 8.13"));
        b.avp(AvpDefinition.of(AVP_PROXY_STATE, V0, "Proxy-State", OCTET_STRING, MUST, "RFC 6733 6.7.4"));
        b.avp(AvpDefinition.of(AVP_ACCT_SESSION_ID, V0, "Acct-Session-Id", OCTET_STRING, MUST, "RFC 6733 9.8.4"));
        b.avp(AvpDefinition.of(AVP_ACCT_MULTI_SESSION_ID, V0, "Acct-Multi-Session-Id", UTF8_STRING, MUST, "RFC 6733 9.8.5"));
        b.avp(AvpDefinition.of(AVP_EVENT_TIMESTAMP, V0, "Event-Timestamp", TIME, MUST, "RFC 6733 8.21"));
        b.avp(AvpDefinition.of(AVP_ACCT_INTERIM_INTERVAL, V0, "Acct-Interim-Interval", UNSIGNED32, MUST, "RFC 6733 9.8.2"));
        b.avp(AvpDefinition.of(AVP_HOST_IP_ADDRESS, V0, "Host-IP-Address", ADDRESS, MUST, "RFC 6733 5.3.5"));
        b.avp(AvpDefinition.of(AVP_AUTH_APPLICATION_ID, V0, "Auth-Application-Id", UNSIGNED32, MUST, "RFC 6733 6.8"));
        b.avp(AvpDefinition.of(AVP_ACCT_APPLICATION_ID, V0, "Acct-Application-Id", UNSIGNED32, MUST, "RFC 6733 6.9"));
        b.avp(AvpDefinition.grouped(AVP_VENDOR_SPECIFIC_APPLICATION_ID, V0, "Vendor-Specific-Application-Id", MUST,
                "RFC 6733 6.11", Membership.CLOSED,
                req(AVP_VENDOR_ID), opt(AVP_AUTH_APPLICATION_ID), opt(AVP_ACCT_APPLICATION_ID)));
        b.avp(AvpDefinition.enumerated(AVP_REDIRECT_HOST_USAGE, V0, "Redirect-Host-Usage", MUST, "RFC 6733 6.13",
                0, 1, 2, 3, 4, 5, 6));
        b.avp(AvpDefinition.of(AVP_REDIRECT_MAX_CACHE_TIME, V0, "Redirect-Max-Cache-Time", UNSIGNED32, MUST, "RFC 6733 6.14"));
        b.avp(AvpDefinition.of(AVP_SESSION_ID, V0, "Session-Id", UTF8_STRING, MUST, "RFC 6733 8.8"));
        b.avp(AvpDefinition.of(AVP_ORIGIN_HOST, V0, "Origin-Host", DIAMETER_IDENTITY, MUST, "RFC 6733 6.3"));
        b.avp(AvpDefinition.of(AVP_SUPPORTED_VENDOR_ID, V0, "Supported-Vendor-Id", UNSIGNED32, MUST, "RFC 6733 5.3.6"));
        b.avp(AvpDefinition.of(AVP_VENDOR_ID, V0, "Vendor-Id", UNSIGNED32, MUST, "RFC 6733 5.3.3"));
        b.avp(AvpDefinition.of(AVP_FIRMWARE_REVISION, V0, "Firmware-Revision", UNSIGNED32, MUST_NOT, "RFC 6733 5.3.4"));
        b.avp(AvpDefinition.of(AVP_RESULT_CODE, V0, "Result-Code", UNSIGNED32, MUST, "RFC 6733 7.1"));
        b.avp(AvpDefinition.of(AVP_PRODUCT_NAME, V0, "Product-Name", UTF8_STRING, MUST_NOT, "RFC 6733 5.3.7"));
        b.avp(AvpDefinition.enumerated(AVP_DISCONNECT_CAUSE, V0, "Disconnect-Cause", MUST, "RFC 6733 5.4.3",
                DISCONNECT_REBOOTING, DISCONNECT_BUSY, DISCONNECT_DO_NOT_WANT_TO_TALK_TO_YOU));
        b.avp(AvpDefinition.enumerated(AVP_AUTH_SESSION_STATE, V0, "Auth-Session-State", MUST, "RFC 6733 8.11", 0, 1));
        b.avp(AvpDefinition.of(AVP_ORIGIN_STATE_ID, V0, "Origin-State-Id", UNSIGNED32, MUST, "RFC 6733 8.16"));
        b.avp(AvpDefinition.grouped(AVP_FAILED_AVP, V0, "Failed-AVP", MUST, "RFC 6733 7.5", Membership.OPAQUE));
        b.avp(AvpDefinition.of(AVP_PROXY_HOST, V0, "Proxy-Host", DIAMETER_IDENTITY, MUST, "RFC 6733 6.7.3"));
        b.avp(AvpDefinition.of(AVP_ERROR_MESSAGE, V0, "Error-Message", UTF8_STRING, MUST_NOT, "RFC 6733 7.3"));
        b.avp(AvpDefinition.of(AVP_ROUTE_RECORD, V0, "Route-Record", DIAMETER_IDENTITY, MUST, "RFC 6733 6.7.1"));
        b.avp(AvpDefinition.of(AVP_DESTINATION_REALM, V0, "Destination-Realm", DIAMETER_IDENTITY, MUST, "RFC 6733 6.6"));
        b.avp(AvpDefinition.grouped(AVP_PROXY_INFO, V0, "Proxy-Info", MUST, "RFC 6733 6.7.2", Membership.OPEN,
                req(AVP_PROXY_HOST), req(AVP_PROXY_STATE)));
        b.avp(AvpDefinition.of(AVP_ACCOUNTING_SUB_SESSION_ID, V0, "Accounting-Sub-Session-Id", UNSIGNED64, MUST, "RFC 6733 9.8.6"));
        b.avp(AvpDefinition.of(AVP_REDIRECT_HOST, V0, "Redirect-Host", DIAMETER_URI, MUST, "RFC 6733 6.12"));
        b.avp(AvpDefinition.of(AVP_DESTINATION_HOST, V0, "Destination-Host", DIAMETER_IDENTITY, MUST, "RFC 6733 6.5"));
        b.avp(AvpDefinition.of(AVP_ERROR_REPORTING_HOST, V0, "Error-Reporting-Host", DIAMETER_IDENTITY, MUST_NOT, "RFC 6733 7.4"));
        b.avp(AvpDefinition.enumerated(AVP_TERMINATION_CAUSE, V0, "Termination-Cause", MUST, "RFC 6733 8.15",
                1, 2, 3, 4, 5, 6, 7, 8));
        b.avp(AvpDefinition.of(AVP_ORIGIN_REALM, V0, "Origin-Realm", DIAMETER_IDENTITY, MUST, "RFC 6733 6.4"));
        b.avp(AvpDefinition.grouped(AVP_EXPERIMENTAL_RESULT, V0, "Experimental-Result", MUST, "RFC 6733 7.6",
                Membership.CLOSED, req(AVP_VENDOR_ID), req(AVP_EXPERIMENTAL_RESULT_CODE)));
        b.avp(AvpDefinition.of(AVP_EXPERIMENTAL_RESULT_CODE, V0, "Experimental-Result-Code", UNSIGNED32, MUST, "RFC 6733 7.7"));
        b.avp(AvpDefinition.of(AVP_INBAND_SECURITY_ID, V0, "Inband-Security-Id", UNSIGNED32, MUST, "RFC 6733 6.10"));
        b.avp(AvpDefinition.enumerated(AVP_ACCOUNTING_RECORD_TYPE, V0, "Accounting-Record-Type", MUST, "RFC 6733 9.8.1",
                ACCOUNTING_RECORD_EVENT, ACCOUNTING_RECORD_START, ACCOUNTING_RECORD_INTERIM, ACCOUNTING_RECORD_STOP));
        b.avp(AvpDefinition.enumerated(AVP_ACCOUNTING_REALTIME_REQUIRED, V0, "Accounting-Realtime-Required", MUST,
                "RFC 6733 9.8.7", 1, 2, 3));
        b.avp(AvpDefinition.of(AVP_ACCOUNTING_RECORD_NUMBER, V0, "Accounting-Record-Number", UNSIGNED32, MUST, "RFC 6733 9.8.3"));
    }

    /** RFC 4006: the credit-control AVPs that TS 32.299 uses on Rf (Vendor-Id 0). */
    private static void creditControl(DiameterDictionary.Builder b) {
        b.avp(AvpDefinition.grouped(AVP_SUBSCRIPTION_ID, V0, "Subscription-Id", MUST, "RFC 4006 8.46", Membership.CLOSED,
                req(AVP_SUBSCRIPTION_ID_TYPE), req(AVP_SUBSCRIPTION_ID_DATA)));
        b.avp(AvpDefinition.of(AVP_SUBSCRIPTION_ID_DATA, V0, "Subscription-Id-Data", UTF8_STRING, MUST, "RFC 4006 8.48"));
        b.avp(AvpDefinition.enumerated(AVP_SUBSCRIPTION_ID_TYPE, V0, "Subscription-Id-Type", MUST, "RFC 4006 8.47",
                SUBSCRIPTION_ID_E164, SUBSCRIPTION_ID_IMSI, SUBSCRIPTION_ID_SIP_URI, SUBSCRIPTION_ID_NAI,
                SUBSCRIPTION_ID_PRIVATE));
        b.avp(AvpDefinition.of(AVP_SERVICE_CONTEXT_ID, V0, "Service-Context-Id", UTF8_STRING, MUST, "RFC 4006 8.42"));
    }

    /** TS 32.299 7.2: 3GPP AVPs of IMS offline charging (Vendor-Id 10415, V bit MUST). */
    private static void rf(DiameterDictionary.Builder b) {
        b.avp(AvpDefinition.grouped(AVP_SERVICE_INFORMATION, TGPP, "Service-Information", MUST, "TS 32.299 7.2",
                Membership.OPEN, new Member(AVP_SUBSCRIPTION_ID, V0, false), opt3(AVP_IMS_INFORMATION)));
        b.avp(AvpDefinition.grouped(AVP_IMS_INFORMATION, TGPP, "IMS-Information", MUST, "TS 32.299 7.2", Membership.OPEN,
                opt3(AVP_EVENT_TYPE), opt3(AVP_ROLE_OF_NODE), req3(AVP_NODE_FUNCTIONALITY), opt3(AVP_USER_SESSION_ID),
                opt3(AVP_OUTGOING_SESSION_ID), opt3(AVP_CALLING_PARTY_ADDRESS), opt3(AVP_CALLED_PARTY_ADDRESS),
                opt3(AVP_REQUESTED_PARTY_ADDRESS), opt3(AVP_TIME_STAMPS), opt3(AVP_APPLICATION_SERVER_INFORMATION),
                opt3(AVP_INTER_OPERATOR_IDENTIFIER), opt3(AVP_IMS_CHARGING_IDENTIFIER),
                opt3(AVP_SDP_SESSION_DESCRIPTION), opt3(AVP_SDP_MEDIA_COMPONENT), opt3(AVP_SERVICE_SPECIFIC_INFO),
                opt3(AVP_CAUSE_CODE), opt3(AVP_ACCESS_NETWORK_INFORMATION)));
        b.avp(AvpDefinition.grouped(AVP_EVENT_TYPE, TGPP, "Event-Type", MUST, "TS 32.299 7.2", Membership.CLOSED,
                opt3(AVP_SIP_METHOD), opt3(AVP_EVENT), opt3(AVP_EXPIRES)));
        b.avp(AvpDefinition.of(AVP_SIP_METHOD, TGPP, "SIP-Method", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_EVENT, TGPP, "Event", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_EXPIRES, TGPP, "Expires", UNSIGNED32, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_CONTENT_TYPE, TGPP, "Content-Type", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_CONTENT_LENGTH, TGPP, "Content-Length", UNSIGNED32, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_CONTENT_DISPOSITION, TGPP, "Content-Disposition", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_ROLE_OF_NODE, TGPP, "Role-Of-Node", ENUMERATED, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_NODE_FUNCTIONALITY, TGPP, "Node-Functionality", ENUMERATED, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_USER_SESSION_ID, TGPP, "User-Session-Id", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_OUTGOING_SESSION_ID, TGPP, "Outgoing-Session-Id", UTF8_STRING, MAY, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_CALLING_PARTY_ADDRESS, TGPP, "Calling-Party-Address", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_CALLED_PARTY_ADDRESS, TGPP, "Called-Party-Address", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_REQUESTED_PARTY_ADDRESS, TGPP, "Requested-Party-Address", UTF8_STRING, MAY, "TS 32.299 7.2"));
        b.avp(AvpDefinition.grouped(AVP_TIME_STAMPS, TGPP, "Time-Stamps", MUST, "TS 32.299 7.2", Membership.CLOSED,
                opt3(AVP_SIP_REQUEST_TIMESTAMP), opt3(AVP_SIP_RESPONSE_TIMESTAMP),
                opt3(AVP_SIP_REQUEST_TIMESTAMP_FRACTION), opt3(AVP_SIP_RESPONSE_TIMESTAMP_FRACTION)));
        b.avp(AvpDefinition.of(AVP_SIP_REQUEST_TIMESTAMP, TGPP, "SIP-Request-Timestamp", TIME, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_SIP_RESPONSE_TIMESTAMP, TGPP, "SIP-Response-Timestamp", TIME, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_SIP_REQUEST_TIMESTAMP_FRACTION, TGPP, "SIP-Request-Timestamp-Fraction", UNSIGNED32, MAY,
                "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_SIP_RESPONSE_TIMESTAMP_FRACTION, TGPP, "SIP-Response-Timestamp-Fraction", UNSIGNED32, MAY,
                "TS 32.299 7.2"));
        b.avp(AvpDefinition.grouped(AVP_APPLICATION_SERVER_INFORMATION, TGPP, "Application-Server-Information", MUST,
                "TS 32.299 7.2", Membership.OPEN,
                opt3(AVP_APPLICATION_SERVER), opt3(AVP_APPLICATION_PROVIDED_CALLED_PARTY_ADDRESS)));
        b.avp(AvpDefinition.of(AVP_APPLICATION_SERVER, TGPP, "Application-Server", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_APPLICATION_PROVIDED_CALLED_PARTY_ADDRESS, TGPP, "Application-Provided-Called-Party-Address",
                UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.grouped(AVP_INTER_OPERATOR_IDENTIFIER, TGPP, "Inter-Operator-Identifier", MUST, "TS 32.299 7.2",
                Membership.CLOSED, opt3(AVP_ORIGINATING_IOI), opt3(AVP_TERMINATING_IOI)));
        b.avp(AvpDefinition.of(AVP_ORIGINATING_IOI, TGPP, "Originating-IOI", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_TERMINATING_IOI, TGPP, "Terminating-IOI", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_IMS_CHARGING_IDENTIFIER, TGPP, "IMS-Charging-Identifier", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_SDP_SESSION_DESCRIPTION, TGPP, "SDP-Session-Description", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.grouped(AVP_SDP_MEDIA_COMPONENT, TGPP, "SDP-Media-Component", MUST, "TS 32.299 7.2",
                Membership.OPEN, opt3(AVP_SDP_MEDIA_NAME), opt3(AVP_SDP_MEDIA_DESCRIPTION), opt3(AVP_MEDIA_INITIATOR_FLAG)));
        b.avp(AvpDefinition.of(AVP_SDP_MEDIA_NAME, TGPP, "SDP-Media-Name", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_SDP_MEDIA_DESCRIPTION, TGPP, "SDP-Media-Description", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_MEDIA_INITIATOR_FLAG, TGPP, "Media-Initiator-Flag", ENUMERATED, MUST, "TS 32.299 7.2"));
        // Cause-Code: Enumerated in Wireshark's file, Integer32 in later TS 32.299 releases; the same 4 octets.
        b.avp(AvpDefinition.of(AVP_CAUSE_CODE, TGPP, "Cause-Code", INTEGER32, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.grouped(AVP_SERVICE_SPECIFIC_INFO, TGPP, "Service-Specific-Info", MAY, "TS 32.299 7.2",
                Membership.CLOSED, opt3(AVP_SERVICE_SPECIFIC_DATA), opt3(AVP_SERVICE_SPECIFIC_TYPE)));
        b.avp(AvpDefinition.of(AVP_SERVICE_SPECIFIC_DATA, TGPP, "Service-Specific-Data", UTF8_STRING, MUST, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_SERVICE_SPECIFIC_TYPE, TGPP, "Service-Specific-Type", UNSIGNED32, MAY, "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_ACCESS_NETWORK_INFORMATION, TGPP, "Access-Network-Information", OCTET_STRING, MAY,
                "TS 32.299 7.2"));
        b.avp(AvpDefinition.of(AVP_NODE_ID, TGPP, "Node-Id", UTF8_STRING, MAY, "TS 32.299 7.2"));
    }

    /** RFC 6733 5.3-5.5 and 9.7: the ABNF's required AVPs of each command. */
    private static void commands(DiameterDictionary.Builder b) {
        List<Member> hostRealm = List.of(req(AVP_ORIGIN_HOST), req(AVP_ORIGIN_REALM));
        List<Member> resultHostRealm = List.of(req(AVP_RESULT_CODE), req(AVP_ORIGIN_HOST), req(AVP_ORIGIN_REALM));
        List<Member> capabilities = List.of(req(AVP_HOST_IP_ADDRESS), req(AVP_VENDOR_ID), req(AVP_PRODUCT_NAME));
        b.command(new CommandDefinition(CMD_CAPABILITIES_EXCHANGE, APP_COMMON_MESSAGES, "Capabilities-Exchange",
                "RFC 6733 5.3.1, 5.3.2", concat(hostRealm, capabilities), concat(resultHostRealm, capabilities)));
        b.command(new CommandDefinition(CMD_DEVICE_WATCHDOG, APP_COMMON_MESSAGES, "Device-Watchdog",
                "RFC 6733 5.5.1, 5.5.2", hostRealm, resultHostRealm));
        b.command(new CommandDefinition(CMD_DISCONNECT_PEER, APP_COMMON_MESSAGES, "Disconnect-Peer",
                "RFC 6733 5.4.1, 5.4.2", concat(hostRealm, List.of(req(AVP_DISCONNECT_CAUSE))), resultHostRealm));
        b.command(new CommandDefinition(CMD_ACCOUNTING, APP_BASE_ACCOUNTING, "Accounting",
                "RFC 6733 9.7.1, 9.7.2; TS 32.299 6.2.2, 6.2.3",
                List.of(req(AVP_SESSION_ID), req(AVP_ORIGIN_HOST), req(AVP_ORIGIN_REALM), req(AVP_DESTINATION_REALM),
                        req(AVP_ACCOUNTING_RECORD_TYPE), req(AVP_ACCOUNTING_RECORD_NUMBER)),
                List.of(req(AVP_SESSION_ID), req(AVP_RESULT_CODE), req(AVP_ORIGIN_HOST), req(AVP_ORIGIN_REALM),
                        req(AVP_ACCOUNTING_RECORD_TYPE), req(AVP_ACCOUNTING_RECORD_NUMBER))));
    }

    private static List<Member> concat(List<Member> a, List<Member> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static Member req(int code) {
        return new Member(code, V0, true);
    }

    private static Member opt(int code) {
        return new Member(code, V0, false);
    }

    private static Member req3(int code) {
        return new Member(code, TGPP, true);
    }

    private static Member opt3(int code) {
        return new Member(code, TGPP, false);
    }
}
