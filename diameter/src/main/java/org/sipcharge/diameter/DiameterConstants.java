package org.sipcharge.diameter;

/**
 * Numbers of the Diameter base protocol (RFC 6733), base accounting and 3GPP Rf (TS 32.299) used by sipcharge.
 * Each group names the clause it comes from.
 */
public final class DiameterConstants {

    // RFC 6733 3: header
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 20;
    public static final int FLAG_REQUEST = 0x80;
    public static final int FLAG_PROXIABLE = 0x40;
    public static final int FLAG_ERROR = 0x20;
    public static final int FLAG_RETRANSMIT = 0x10;
    /** RFC 6733 3: the low four command flags are reserved and must be zero. */
    public static final int FLAGS_RESERVED = 0x0F;

    // RFC 6733 4.1: AVP header
    public static final int AVP_FLAG_VENDOR = 0x80;
    public static final int AVP_FLAG_MANDATORY = 0x40;
    public static final int AVP_FLAG_PROTECTED = 0x20;
    public static final int AVP_HEADER_LENGTH = 8;
    public static final int AVP_HEADER_LENGTH_VENDOR = 12;

    // Size limits. The message length field is 24 bits (RFC 6733 3), so 16 MB could be claimed; we refuse anything
    // above MAX_MESSAGE_LENGTH before allocating. An ACR with IMS-Information is 1-2 kB.
    /** Largest message we accept (and RFC 6733 3 lets a peer claim up to 2^24-1): 64 kB. */
    public static final int MAX_MESSAGE_LENGTH = 64 * 1024;
    /** RFC 6733 4.1: the AVP length field is 24 bits; our messages bound it further. */
    public static final int MAX_AVP_LENGTH = MAX_MESSAGE_LENGTH - HEADER_LENGTH;
    /** Nesting of grouped AVPs we accept (Service-Information/IMS-Information/Time-Stamps is depth 3). */
    public static final int MAX_GROUP_DEPTH = 8;

    // RFC 6733 3.1 and 9.7: command codes
    public static final int CMD_CAPABILITIES_EXCHANGE = 257;
    public static final int CMD_DEVICE_WATCHDOG = 280;
    public static final int CMD_DISCONNECT_PEER = 282;
    public static final int CMD_ACCOUNTING = 271;

    // RFC 6733 2.4: application ids
    public static final long APP_COMMON_MESSAGES = 0;
    public static final long APP_BASE_ACCOUNTING = 3;
    public static final long APP_RELAY = 0xFFFFFFFFL;

    /** IANA enterprise number of 3GPP, the Vendor-Id of TS 29.230 / TS 32.299 AVPs. */
    public static final long VENDOR_3GPP = 10415;

    // RFC 6733 4.5: base AVP codes
    public static final int AVP_ACCT_INTERIM_INTERVAL = 85;
    public static final int AVP_HOST_IP_ADDRESS = 257;
    public static final int AVP_AUTH_APPLICATION_ID = 258;
    public static final int AVP_ACCT_APPLICATION_ID = 259;
    public static final int AVP_VENDOR_SPECIFIC_APPLICATION_ID = 260;
    public static final int AVP_SESSION_ID = 263;
    public static final int AVP_ORIGIN_HOST = 264;
    public static final int AVP_SUPPORTED_VENDOR_ID = 265;
    public static final int AVP_VENDOR_ID = 266;
    public static final int AVP_FIRMWARE_REVISION = 267;
    public static final int AVP_RESULT_CODE = 268;
    public static final int AVP_PRODUCT_NAME = 269;
    public static final int AVP_DISCONNECT_CAUSE = 273;
    public static final int AVP_ORIGIN_STATE_ID = 278;
    public static final int AVP_FAILED_AVP = 279;
    public static final int AVP_ERROR_MESSAGE = 281;
    public static final int AVP_DESTINATION_REALM = 283;
    public static final int AVP_DESTINATION_HOST = 293;
    public static final int AVP_ORIGIN_REALM = 296;
    public static final int AVP_EXPERIMENTAL_RESULT = 297;
    public static final int AVP_EXPERIMENTAL_RESULT_CODE = 298;
    public static final int AVP_ACCOUNTING_RECORD_TYPE = 480;
    public static final int AVP_ACCOUNTING_RECORD_NUMBER = 485;
    public static final int AVP_EVENT_TIMESTAMP = 55;
    public static final int AVP_SERVICE_CONTEXT_ID = 461; // RFC 4006 8.42, used by TS 32.299

    // TS 32.299 7.2: 3GPP Rf AVPs (Vendor-Id 10415)
    public static final int AVP_EVENT_TYPE = 823;
    public static final int AVP_SIP_METHOD = 824;
    public static final int AVP_ROLE_OF_NODE = 829;
    public static final int AVP_USER_SESSION_ID = 830;
    public static final int AVP_CALLING_PARTY_ADDRESS = 831;
    public static final int AVP_CALLED_PARTY_ADDRESS = 832;
    public static final int AVP_TIME_STAMPS = 833;
    public static final int AVP_SIP_REQUEST_TIMESTAMP = 834;
    public static final int AVP_SIP_RESPONSE_TIMESTAMP = 835;
    /** TS 32.299 7.2 SIP-Request-Timestamp-Fraction (Unsigned32, milliseconds), child of Time-Stamps. */
    public static final int AVP_SIP_REQUEST_TIMESTAMP_FRACTION = 2301;
    /** TS 32.299 7.2 SIP-Response-Timestamp-Fraction (Unsigned32, milliseconds), child of Time-Stamps. */
    public static final int AVP_SIP_RESPONSE_TIMESTAMP_FRACTION = 2302;
    public static final int AVP_CAUSE_CODE = 861;
    public static final int AVP_NODE_FUNCTIONALITY = 862;
    public static final int AVP_SERVICE_INFORMATION = 873;
    public static final int AVP_IMS_INFORMATION = 876;

    /** TS 32.299 7.1.12 / TS 32.260: Service-Context-Id of IMS offline charging. */
    public static final String SERVICE_CONTEXT_ID_IMS = "32260@3gpp.org";

    // RFC 6733 7.1: Result-Code values
    public static final long RESULT_SUCCESS = 2001;
    public static final long RESULT_COMMAND_UNSUPPORTED = 3001;
    public static final long RESULT_UNABLE_TO_DELIVER = 3002;
    public static final long RESULT_TOO_BUSY = 3004;
    public static final long RESULT_APPLICATION_UNSUPPORTED = 3007;
    public static final long RESULT_INVALID_HDR_BITS = 3008;
    public static final long RESULT_INVALID_AVP_BITS = 3009;
    public static final long RESULT_UNKNOWN_PEER = 3010;
    public static final long RESULT_OUT_OF_SPACE = 4002;
    public static final long RESULT_AVP_UNSUPPORTED = 5001;
    public static final long RESULT_INVALID_AVP_VALUE = 5004;
    public static final long RESULT_MISSING_AVP = 5005;
    public static final long RESULT_NO_COMMON_APPLICATION = 5010;
    public static final long RESULT_UNSUPPORTED_VERSION = 5011;
    public static final long RESULT_UNABLE_TO_COMPLY = 5012;
    public static final long RESULT_INVALID_AVP_LENGTH = 5014;
    public static final long RESULT_INVALID_MESSAGE_LENGTH = 5015;

    // RFC 6733 5.4.3: Disconnect-Cause
    public static final int DISCONNECT_REBOOTING = 0;
    public static final int DISCONNECT_BUSY = 1;
    public static final int DISCONNECT_DO_NOT_WANT_TO_TALK_TO_YOU = 2;

    /** RFC 6733 7.1.1-7.1.5: 1xxx informational, 2xxx success, 3xxx protocol errors (sent with the E bit). */
    public static boolean isProtocolError(long resultCode) {
        return resultCode >= 3000 && resultCode < 4000;
    }

    private DiameterConstants() {
    }
}
