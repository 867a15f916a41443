package org.sipcharge.diameter;

/**
 * Numbers of the Diameter base protocol (RFC 6733), base accounting and 3GPP Rf (TS 32.299) used by sipcharge.
 * Each group names the clause it comes from.
 */
public final class DiameterConstants {

    // RFC 6733 3: header
    /** RFC 6733 3: the Version field; only version 1 exists. */
    public static final int VERSION = 1;
    /** RFC 6733 3: the fixed header is 20 octets (version, length, flags, command code, application id, two ids). */
    public static final int HEADER_LENGTH = 20;
    /** RFC 6733 3: R(equest) command flag. */
    public static final int FLAG_REQUEST = 0x80;
    /** RFC 6733 3: P(roxiable) command flag. */
    public static final int FLAG_PROXIABLE = 0x40;
    /** RFC 6733 3: E(rror) command flag, only in answers carrying a protocol error (7.1.3). */
    public static final int FLAG_ERROR = 0x20;
    /** RFC 6733 3: T (potentially retransmitted) command flag. */
    public static final int FLAG_RETRANSMIT = 0x10;
    /** RFC 6733 3: the low four command flags are reserved and must be zero. */
    public static final int FLAGS_RESERVED = 0x0F;
    /** RFC 6733 3: the Message Length field is 24 bits, so no message can claim more than 2^24-1 octets. */
    public static final int MESSAGE_LENGTH_FIELD_MAX = 0xFFFFFF;
    /** RFC 6733 3: the Command Code field is 24 bits. */
    public static final int COMMAND_CODE_MAX = 0xFFFFFF;

    // RFC 6733 4.1: AVP header
    /** RFC 6733 4.1: V(endor-specific) AVP flag: the optional Vendor-ID field is present. */
    public static final int AVP_FLAG_VENDOR = 0x80;
    /** RFC 6733 4.1: M(andatory) AVP flag: the receiver must understand the AVP or reject the message. */
    public static final int AVP_FLAG_MANDATORY = 0x40;
    /** RFC 6733 4.1: P AVP flag, kept for backward compatibility with RFC 3588 (end-to-end security). */
    public static final int AVP_FLAG_PROTECTED = 0x20;
    /**
     * RFC 6733 4.1: the five low AVP flag bits are reserved, sent as zero and, when set, answered with
     * DIAMETER_INVALID_AVP_BITS (3009, RFC 6733 7.1.3).
     */
    public static final int AVP_FLAGS_RESERVED = 0x1F;
    /** RFC 6733 4.1: AVP header without Vendor-ID: code (4 octets), flags (1), length (3). */
    public static final int AVP_HEADER_LENGTH = 8;
    /** RFC 6733 4.1: AVP header with the V bit: the 8 octets plus the 4-octet Vendor-ID. */
    public static final int AVP_HEADER_LENGTH_VENDOR = 12;
    /** RFC 6733 4.1: the AVP Length field is 24 bits (header and data, without padding). */
    public static final int AVP_LENGTH_FIELD_MAX = 0xFFFFFF;
    /**
     * RFC 6733 4.1 and 4.4: every AVP is padded with zero octets to a 32-bit boundary; the padding is not counted
     * in the AVP Length but is in the message length (and so a message length is a multiple of it, RFC 6733 3).
     */
    public static final int AVP_ALIGNMENT = 4;

    // RFC 6733 4.2 / 4.3.1: fixed data lengths of the basic AVP data formats
    /** RFC 6733 4.2: Integer32, Unsigned32, Float32 (and Enumerated, Time of 4.3.1) carry 32 bits. */
    public static final int DATA_LENGTH_32 = 4;
    /** RFC 6733 4.2: Integer64, Unsigned64 and Float64 carry 64 bits. */
    public static final int DATA_LENGTH_64 = 8;
    /** RFC 6733 4.3.1 Address: a 2-octet AddressType (IANA address family number) precedes the address. */
    public static final int ADDRESS_FAMILY_LENGTH = 2;
    /** RFC 6733 4.3.1 Address with AddressType 1 (IPv4): 2 + 4 octets. */
    public static final int ADDRESS_IPV4_LENGTH = ADDRESS_FAMILY_LENGTH + 4;
    /** RFC 6733 4.3.1 Address with AddressType 2 (IPv6): 2 + 16 octets. */
    public static final int ADDRESS_IPV6_LENGTH = ADDRESS_FAMILY_LENGTH + 16;
    /** IANA Address Family Numbers (cited by RFC 6733 4.3.1): IPv4. */
    public static final int ADDRESS_FAMILY_IPV4 = 1;
    /** IANA Address Family Numbers (cited by RFC 6733 4.3.1): IPv6. */
    public static final int ADDRESS_FAMILY_IPV6 = 2;
    /**
     * RFC 6733 4.3.1 DiameterIdentity is an FQDN; RFC 1035 2.3.4 (with RFC 1123 2.1) bounds a name to 255 octets.
     * Also bounds the FQDN part of a DiameterURI.
     */
    public static final int MAX_DIAMETER_IDENTITY_LENGTH = 255;
    /** RFC 1035 2.3.4 (cited through RFC 6733 4.3.1 FQDN): one label of a domain name is at most 63 octets. */
    public static final int MAX_DNS_LABEL_LENGTH = 63;
    /** RFC 6733 4.3.1 DiameterURI: the port is a TCP/SCTP/UDP port number, at most 65535. */
    public static final int MAX_PORT = 65535;

    // Size limits. The message length field is 24 bits (RFC 6733 3), so 16 MB could be claimed; we refuse anything
    // above MAX_MESSAGE_LENGTH before allocating. An ACR with IMS-Information is 1-2 kB.
    /**
     * Largest message we accept or send: 64 kB. RFC 6733 3 lets a peer claim up to {@link #MESSAGE_LENGTH_FIELD_MAX};
     * a longer claim is refused from the header alone, before any allocation (a framing error, connection closed).
     */
    public static final int MAX_MESSAGE_LENGTH = 64 * 1024;
    /**
     * Largest AVP (header and data) we accept or build: RFC 6733 4.1 allows {@link #AVP_LENGTH_FIELD_MAX}; an AVP
     * is bounded by its message (RFC 6733 3 length minus the header).
     */
    public static final int MAX_AVP_LENGTH = MAX_MESSAGE_LENGTH - HEADER_LENGTH;
    /**
     * Nesting of Grouped AVPs we decode (RFC 6733 4.4 sets no bound; Service-Information / IMS-Information /
     * Time-Stamps of TS 32.299 is depth 3). Deeper nesting is answered DIAMETER_INVALID_AVP_VALUE (5004).
     */
    public static final int MAX_GROUP_DEPTH = 8;

    // RFC 6733 3.1 and 9.7: command codes
    /** RFC 6733 5.3: Capabilities-Exchange-Request/-Answer (CER/CEA). */
    public static final int CMD_CAPABILITIES_EXCHANGE = 257;
    /** RFC 6733 5.5: Device-Watchdog-Request/-Answer (DWR/DWA). */
    public static final int CMD_DEVICE_WATCHDOG = 280;
    /** RFC 6733 5.4: Disconnect-Peer-Request/-Answer (DPR/DPA). */
    public static final int CMD_DISCONNECT_PEER = 282;
    /** RFC 6733 9.7: Accounting-Request/-Answer (ACR/ACA), the Rf command of TS 32.299 6.2. */
    public static final int CMD_ACCOUNTING = 271;

    // RFC 6733 2.4: application ids
    /** RFC 6733 2.4: Diameter common messages (CER, DWR, DPR). */
    public static final long APP_COMMON_MESSAGES = 0;
    /** RFC 6733 2.4: Diameter base accounting, the application of Rf (TS 32.299 6.1). */
    public static final long APP_BASE_ACCOUNTING = 3;
    /** RFC 6733 2.4: the relay application id, advertised by relays. */
    public static final long APP_RELAY = 0xFFFFFFFFL;

    /** IANA enterprise number of 3GPP, the Vendor-Id of TS 29.230 / TS 32.299 AVPs. */
    public static final long VENDOR_3GPP = 10415;

    // AVP codes. Checked against RFC 6733 4.5 (base), RFC 4006 (credit control) and TS 32.299 7.2 / TS 29.230
    // (3GPP, Vendor-Id 10415), and cross-checked with the Wireshark Diameter dictionary files (dictionary.xml,
    // chargecontrol.xml), which list the same codes, types and flag rules.

    // RFC 6733 4.5: base AVP codes (Vendor-Id 0)
    /** RFC 6733 8.14 User-Name (UTF8String). */
    public static final int AVP_USER_NAME = 1;
    /** RFC 6733 8.20 Class (OctetString). */
    public static final int AVP_CLASS = 25;
    /** RFC 6733 6.7.4 Proxy-State (OctetString). */
    public static final int AVP_PROXY_STATE = 33;
    /** RFC 6733 9.8.4 Acct-Session-Id (OctetString). */
    public static final int AVP_ACCT_SESSION_ID = 44;
    /** RFC 6733 9.8.5 Acct-Multi-Session-Id (UTF8String). */
    public static final int AVP_ACCT_MULTI_SESSION_ID = 50;
    /** RFC 6733 8.21 Event-Timestamp (Time). */
    public static final int AVP_EVENT_TIMESTAMP = 55;
    /** RFC 6733 9.8.2 Acct-Interim-Interval (Unsigned32). */
    public static final int AVP_ACCT_INTERIM_INTERVAL = 85;
    /** RFC 6733 5.3.5 Host-IP-Address (Address). */
    public static final int AVP_HOST_IP_ADDRESS = 257;
    /** RFC 6733 6.8 Auth-Application-Id (Unsigned32). */
    public static final int AVP_AUTH_APPLICATION_ID = 258;
    /** RFC 6733 6.9 Acct-Application-Id (Unsigned32). */
    public static final int AVP_ACCT_APPLICATION_ID = 259;
    /** RFC 6733 6.11 Vendor-Specific-Application-Id (Grouped). */
    public static final int AVP_VENDOR_SPECIFIC_APPLICATION_ID = 260;
    /** RFC 6733 6.13 Redirect-Host-Usage (Enumerated). */
    public static final int AVP_REDIRECT_HOST_USAGE = 261;
    /** RFC 6733 6.14 Redirect-Max-Cache-Time (Unsigned32). */
    public static final int AVP_REDIRECT_MAX_CACHE_TIME = 262;
    /** RFC 6733 8.8 Session-Id (UTF8String). */
    public static final int AVP_SESSION_ID = 263;
    /** RFC 6733 6.3 Origin-Host (DiameterIdentity). */
    public static final int AVP_ORIGIN_HOST = 264;
    /** RFC 6733 5.3.6 Supported-Vendor-Id (Unsigned32). */
    public static final int AVP_SUPPORTED_VENDOR_ID = 265;
    /** RFC 6733 5.3.3 Vendor-Id (Unsigned32). */
    public static final int AVP_VENDOR_ID = 266;
    /** RFC 6733 5.3.4 Firmware-Revision (Unsigned32, M bit must not be set). */
    public static final int AVP_FIRMWARE_REVISION = 267;
    /** RFC 6733 7.1 Result-Code (Unsigned32). */
    public static final int AVP_RESULT_CODE = 268;
    /** RFC 6733 5.3.7 Product-Name (UTF8String, M bit must not be set). */
    public static final int AVP_PRODUCT_NAME = 269;
    /** RFC 6733 5.4.3 Disconnect-Cause (Enumerated). */
    public static final int AVP_DISCONNECT_CAUSE = 273;
    /** RFC 6733 8.11 Auth-Session-State (Enumerated). */
    public static final int AVP_AUTH_SESSION_STATE = 277;
    /** RFC 6733 8.16 Origin-State-Id (Unsigned32). */
    public static final int AVP_ORIGIN_STATE_ID = 278;
    /** RFC 6733 7.5 Failed-AVP (Grouped). */
    public static final int AVP_FAILED_AVP = 279;
    /** RFC 6733 6.7.3 Proxy-Host (DiameterIdentity). */
    public static final int AVP_PROXY_HOST = 280;
    /** RFC 6733 7.3 Error-Message (UTF8String, M bit must not be set). */
    public static final int AVP_ERROR_MESSAGE = 281;
    /** RFC 6733 6.7.1 Route-Record (DiameterIdentity). */
    public static final int AVP_ROUTE_RECORD = 282;
    /** RFC 6733 6.6 Destination-Realm (DiameterIdentity). */
    public static final int AVP_DESTINATION_REALM = 283;
    /** RFC 6733 6.7.2 Proxy-Info (Grouped). */
    public static final int AVP_PROXY_INFO = 284;
    /** RFC 6733 9.8.6 Accounting-Sub-Session-Id (Unsigned64). */
    public static final int AVP_ACCOUNTING_SUB_SESSION_ID = 287;
    /** RFC 6733 6.12 Redirect-Host (DiameterURI). */
    public static final int AVP_REDIRECT_HOST = 292;
    /** RFC 6733 6.5 Destination-Host (DiameterIdentity). */
    public static final int AVP_DESTINATION_HOST = 293;
    /** RFC 6733 7.4 Error-Reporting-Host (DiameterIdentity, M bit must not be set). */
    public static final int AVP_ERROR_REPORTING_HOST = 294;
    /** RFC 6733 8.15 Termination-Cause (Enumerated). */
    public static final int AVP_TERMINATION_CAUSE = 295;
    /** RFC 6733 6.4 Origin-Realm (DiameterIdentity). */
    public static final int AVP_ORIGIN_REALM = 296;
    /** RFC 6733 7.6 Experimental-Result (Grouped). */
    public static final int AVP_EXPERIMENTAL_RESULT = 297;
    /** RFC 6733 7.7 Experimental-Result-Code (Unsigned32). */
    public static final int AVP_EXPERIMENTAL_RESULT_CODE = 298;
    /** RFC 6733 6.10 Inband-Security-Id (Unsigned32). */
    public static final int AVP_INBAND_SECURITY_ID = 299;
    /** RFC 6733 9.8.1 Accounting-Record-Type (Enumerated). */
    public static final int AVP_ACCOUNTING_RECORD_TYPE = 480;
    /** RFC 6733 9.8.7 Accounting-Realtime-Required (Enumerated). */
    public static final int AVP_ACCOUNTING_REALTIME_REQUIRED = 483;
    /** RFC 6733 9.8.3 Accounting-Record-Number (Unsigned32). */
    public static final int AVP_ACCOUNTING_RECORD_NUMBER = 485;

    // RFC 4006 (Vendor-Id 0), used by TS 32.299 in Rf
    /** RFC 4006 8.46 Subscription-Id (Grouped); TS 32.299 7.1 lists it among the RFC 4006 AVPs used on Rf. */
    public static final int AVP_SUBSCRIPTION_ID = 443;
    /** RFC 4006 8.48 Subscription-Id-Data (UTF8String). */
    public static final int AVP_SUBSCRIPTION_ID_DATA = 444;
    /** RFC 4006 8.47 Subscription-Id-Type (Enumerated). */
    public static final int AVP_SUBSCRIPTION_ID_TYPE = 450;
    /** RFC 4006 8.42 Service-Context-Id (UTF8String); TS 32.299 7.1.12 gives its value for each service. */
    public static final int AVP_SERVICE_CONTEXT_ID = 461;

    // TS 32.299 7.2: 3GPP Rf AVPs (Vendor-Id 10415), codes allocated in TS 29.230
    /** TS 32.299 7.2 Event-Type (Grouped: SIP-Method, Event, Expires). */
    public static final int AVP_EVENT_TYPE = 823;
    /** TS 32.299 7.2 SIP-Method (UTF8String), child of Event-Type. */
    public static final int AVP_SIP_METHOD = 824;
    /** TS 32.299 7.2 Event (UTF8String): the content of the SIP Event header, child of Event-Type. */
    public static final int AVP_EVENT = 825;
    /** TS 32.299 7.2 Content-Type (UTF8String). */
    public static final int AVP_CONTENT_TYPE = 826;
    /** TS 32.299 7.2 Content-Length (Unsigned32). */
    public static final int AVP_CONTENT_LENGTH = 827;
    /** TS 32.299 7.2 Content-Disposition (UTF8String). */
    public static final int AVP_CONTENT_DISPOSITION = 828;
    /** TS 32.299 7.2 Role-Of-Node (Enumerated). */
    public static final int AVP_ROLE_OF_NODE = 829;
    /** TS 32.299 7.2 User-Session-Id (UTF8String): the SIP Call-ID. */
    public static final int AVP_USER_SESSION_ID = 830;
    /** TS 32.299 7.2 Calling-Party-Address (UTF8String). */
    public static final int AVP_CALLING_PARTY_ADDRESS = 831;
    /** TS 32.299 7.2 Called-Party-Address (UTF8String). */
    public static final int AVP_CALLED_PARTY_ADDRESS = 832;
    /** TS 32.299 7.2 Time-Stamps (Grouped). */
    public static final int AVP_TIME_STAMPS = 833;
    /** TS 32.299 7.2 SIP-Request-Timestamp (Time), child of Time-Stamps. */
    public static final int AVP_SIP_REQUEST_TIMESTAMP = 834;
    /** TS 32.299 7.2 SIP-Response-Timestamp (Time), child of Time-Stamps. */
    public static final int AVP_SIP_RESPONSE_TIMESTAMP = 835;
    /** TS 32.299 7.2 Application-Server (UTF8String), child of Application-Server-Information. */
    public static final int AVP_APPLICATION_SERVER = 836;
    /** TS 32.299 7.2 Application-Provided-Called-Party-Address (UTF8String). */
    public static final int AVP_APPLICATION_PROVIDED_CALLED_PARTY_ADDRESS = 837;
    /** TS 32.299 7.2 Inter-Operator-Identifier (Grouped: Originating-IOI, Terminating-IOI). */
    public static final int AVP_INTER_OPERATOR_IDENTIFIER = 838;
    /** TS 32.299 7.2 Originating-IOI (UTF8String). */
    public static final int AVP_ORIGINATING_IOI = 839;
    /** TS 32.299 7.2 Terminating-IOI (UTF8String). */
    public static final int AVP_TERMINATING_IOI = 840;
    /** TS 32.299 7.2 IMS-Charging-Identifier (UTF8String): the ICID of the P-Charging-Vector. */
    public static final int AVP_IMS_CHARGING_IDENTIFIER = 841;
    /** TS 32.299 7.2 SDP-Session-Description (UTF8String). */
    public static final int AVP_SDP_SESSION_DESCRIPTION = 842;
    /** TS 32.299 7.2 SDP-Media-Component (Grouped). */
    public static final int AVP_SDP_MEDIA_COMPONENT = 843;
    /** TS 32.299 7.2 SDP-Media-Name (UTF8String). */
    public static final int AVP_SDP_MEDIA_NAME = 844;
    /** TS 32.299 7.2 SDP-Media-Description (UTF8String). */
    public static final int AVP_SDP_MEDIA_DESCRIPTION = 845;
    /** TS 32.299 7.2 Application-Server-Information (Grouped). */
    public static final int AVP_APPLICATION_SERVER_INFORMATION = 850;
    /** TS 32.299 7.2 Cause-Code (Integer32 values, Enumerated type). */
    public static final int AVP_CAUSE_CODE = 861;
    /** TS 32.299 7.2 Node-Functionality (Enumerated). */
    public static final int AVP_NODE_FUNCTIONALITY = 862;
    /** TS 32.299 7.2 Service-Specific-Data (UTF8String), child of Service-Specific-Info. */
    public static final int AVP_SERVICE_SPECIFIC_DATA = 863;
    /** TS 32.299 7.2 Service-Information (Grouped), the top-level container of Rf service data. */
    public static final int AVP_SERVICE_INFORMATION = 873;
    /** TS 32.299 7.2 IMS-Information (Grouped), child of Service-Information. */
    public static final int AVP_IMS_INFORMATION = 876;
    /** TS 32.299 7.2 Media-Initiator-Flag (Enumerated), child of SDP-Media-Component. */
    public static final int AVP_MEDIA_INITIATOR_FLAG = 882;
    /** TS 32.299 7.2 Expires (Unsigned32), child of Event-Type. */
    public static final int AVP_EXPIRES = 888;
    /** TS 32.299 7.2 Service-Specific-Info (Grouped: Service-Specific-Data, Service-Specific-Type). */
    public static final int AVP_SERVICE_SPECIFIC_INFO = 1249;
    /** TS 32.299 7.2 Requested-Party-Address (UTF8String). */
    public static final int AVP_REQUESTED_PARTY_ADDRESS = 1251;
    /** TS 32.299 7.2 Service-Specific-Type (Unsigned32). */
    public static final int AVP_SERVICE_SPECIFIC_TYPE = 1257;
    /** TS 32.299 7.2 Access-Network-Information (OctetString): the P-Access-Network-Info header. */
    public static final int AVP_ACCESS_NETWORK_INFORMATION = 1263;
    /** TS 32.299 7.2 Node-Id (UTF8String), in the ACR's Service-Information. */
    public static final int AVP_NODE_ID = 2064;
    /** TS 32.299 7.2 SIP-Request-Timestamp-Fraction (Unsigned32, milliseconds), child of Time-Stamps. */
    public static final int AVP_SIP_REQUEST_TIMESTAMP_FRACTION = 2301;
    /** TS 32.299 7.2 SIP-Response-Timestamp-Fraction (Unsigned32, milliseconds), child of Time-Stamps. */
    public static final int AVP_SIP_RESPONSE_TIMESTAMP_FRACTION = 2302;
    /** TS 32.299 7.2 Outgoing-Session-Id (UTF8String), child of IMS-Information. */
    public static final int AVP_OUTGOING_SESSION_ID = 2320;

    /** TS 32.299 7.1.12 / TS 32.260: Service-Context-Id of IMS offline charging. */
    public static final String SERVICE_CONTEXT_ID_IMS = "32260@3gpp.org";

    // RFC 6733 7.1: Result-Code values
    /** RFC 6733 7.1.2 DIAMETER_SUCCESS. */
    public static final long RESULT_SUCCESS = 2001;
    /** RFC 6733 7.1.3 DIAMETER_COMMAND_UNSUPPORTED: the command is not supported for the application. */
    public static final long RESULT_COMMAND_UNSUPPORTED = 3001;
    /** RFC 6733 7.1.3 DIAMETER_UNABLE_TO_DELIVER. */
    public static final long RESULT_UNABLE_TO_DELIVER = 3002;
    /** RFC 6733 7.1.3 DIAMETER_TOO_BUSY. */
    public static final long RESULT_TOO_BUSY = 3004;
    /** RFC 6733 7.1.3 DIAMETER_REDIRECT_INDICATION: Redirect-Host names where to send the request. */
    public static final long RESULT_REDIRECT_INDICATION = 3006;
    /** RFC 6733 7.1.3 DIAMETER_APPLICATION_UNSUPPORTED: the Application Id of the request is not supported. */
    public static final long RESULT_APPLICATION_UNSUPPORTED = 3007;
    /** RFC 6733 7.1.3 DIAMETER_INVALID_HDR_BITS: reserved command flags, or E in a request. */
    public static final long RESULT_INVALID_HDR_BITS = 3008;
    /** RFC 6733 7.1.3 DIAMETER_INVALID_AVP_BITS: reserved AVP flags set, or the M bit where the AVP forbids it. */
    public static final long RESULT_INVALID_AVP_BITS = 3009;
    /** RFC 6733 7.1.3 DIAMETER_UNKNOWN_PEER. */
    public static final long RESULT_UNKNOWN_PEER = 3010;
    /** RFC 6733 7.1.4 DIAMETER_OUT_OF_SPACE (transient): the record could not be stored. */
    public static final long RESULT_OUT_OF_SPACE = 4002;
    /** RFC 6733 7.1.5 DIAMETER_AVP_UNSUPPORTED: an AVP with the M bit that the receiver does not know. */
    public static final long RESULT_AVP_UNSUPPORTED = 5001;
    /** RFC 6733 7.1.5 DIAMETER_UNKNOWN_SESSION_ID. */
    public static final long RESULT_UNKNOWN_SESSION_ID = 5002;
    /** RFC 6733 7.1.5 DIAMETER_INVALID_AVP_VALUE: a value not valid for its AVP (Failed-AVP names it). */
    public static final long RESULT_INVALID_AVP_VALUE = 5004;
    /** RFC 6733 7.1.5 DIAMETER_MISSING_AVP: Failed-AVP carries an example of the missing AVP. */
    public static final long RESULT_MISSING_AVP = 5005;
    /** RFC 6733 7.1.5 DIAMETER_AVP_NOT_ALLOWED: an AVP that must not be present. */
    public static final long RESULT_AVP_NOT_ALLOWED = 5008;
    /** RFC 6733 7.1.5 DIAMETER_AVP_OCCURS_TOO_MANY_TIMES. */
    public static final long RESULT_AVP_OCCURS_TOO_MANY_TIMES = 5009;
    /** RFC 6733 7.1.5 DIAMETER_NO_COMMON_APPLICATION (CEA). */
    public static final long RESULT_NO_COMMON_APPLICATION = 5010;
    /** RFC 6733 7.1.5 DIAMETER_UNSUPPORTED_VERSION. */
    public static final long RESULT_UNSUPPORTED_VERSION = 5011;
    /** RFC 6733 7.1.5 DIAMETER_UNABLE_TO_COMPLY. */
    public static final long RESULT_UNABLE_TO_COMPLY = 5012;
    /** RFC 6733 7.1.5 DIAMETER_INVALID_AVP_LENGTH: an AVP of the wrong length for its type or its container. */
    public static final long RESULT_INVALID_AVP_LENGTH = 5014;
    /** RFC 6733 7.1.5 DIAMETER_INVALID_MESSAGE_LENGTH. */
    public static final long RESULT_INVALID_MESSAGE_LENGTH = 5015;

    // RFC 6733 5.4.3: Disconnect-Cause
    public static final int DISCONNECT_REBOOTING = 0;
    public static final int DISCONNECT_BUSY = 1;
    public static final int DISCONNECT_DO_NOT_WANT_TO_TALK_TO_YOU = 2;

    // RFC 6733 9.8.1: Accounting-Record-Type
    public static final int ACCOUNTING_RECORD_EVENT = 1;
    public static final int ACCOUNTING_RECORD_START = 2;
    public static final int ACCOUNTING_RECORD_INTERIM = 3;
    public static final int ACCOUNTING_RECORD_STOP = 4;

    // RFC 4006 8.47: Subscription-Id-Type
    public static final int SUBSCRIPTION_ID_E164 = 0;
    public static final int SUBSCRIPTION_ID_IMSI = 1;
    public static final int SUBSCRIPTION_ID_SIP_URI = 2;
    public static final int SUBSCRIPTION_ID_NAI = 3;
    public static final int SUBSCRIPTION_ID_PRIVATE = 4;

    /** RFC 6733 7.1.1-7.1.5: 1xxx informational, 2xxx success, 3xxx protocol errors (sent with the E bit). */
    public static boolean isProtocolError(long resultCode) {
        return resultCode >= 3000 && resultCode < 4000;
    }

    private DiameterConstants() {
    }
}
