-- Billing connector coordinator election (billing-connector, org.sipcharge.billing.coordinator).
-- One row: who holds the legacy billing link. EPOCH is the fencing token, raised by one at every change of
-- holder and never reused; BEAT counts the holder's heartbeats under that epoch (a count that stops moving for a
-- lease means the holder is gone). Every write is a compare-and-set on (EPOCH, HOLDER or BEAT).
create table BILLING_COORDINATOR (
    ID integer not null,
    EPOCH bigint not null,
    HOLDER varchar(255),
    BEAT bigint not null,
    CHANGED_AT timestamp(6) with time zone not null,
    primary key (ID)
);
insert into BILLING_COORDINATOR (ID, EPOCH, HOLDER, BEAT, CHANGED_AT) values (1, 0, null, 0, current_timestamp);

-- Every billing-connector instance's last heartbeat, for the admin view (the election itself uses only the row above).
create table BILLING_MEMBER (
    INSTANCE varchar(255) not null,
    BEAT_AT timestamp(6) with time zone not null,
    ROLE varchar(32) not null,
    EPOCH bigint not null,
    primary key (INSTANCE)
);
