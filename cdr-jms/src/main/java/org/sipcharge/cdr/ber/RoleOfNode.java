package org.sipcharge.cdr.ber;

/** TS 32.298 5.1.3 / 5.2.3.1 Role-of-Node: whether the AS served the originating or the terminating side. */
public enum RoleOfNode {
    ORIGINATING(0),
    TERMINATING(1);

    private final int code;

    RoleOfNode(int code) {
        this.code = code;
    }

    /** The ENUMERATED value on the wire. */
    public int code() {
        return code;
    }

    static RoleOfNode fromCode(long code) {
        for (RoleOfNode r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new CdrBerException("role-of-Node has an unknown value " + code);
    }
}
