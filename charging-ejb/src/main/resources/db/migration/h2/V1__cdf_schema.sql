-- The CDF's schema, version 1 (what Hibernate generated from the entities until Flyway took over; a database created
-- by that earlier release is baselined at this version instead of running it). Enumerations are text with a check,
-- the same on H2 and PostgreSQL. Managed by Flyway (charging-ejb SchemaMigrations): never edit a released migration,
-- add the next version.
create sequence ACCOUNTING_RECORD_SEQ start with 1 increment by 50;
create sequence CDR_SEQ start with 1 increment by 20;
create sequence PENDING_ACR_SEQ start with 1 increment by 1;
create table ACCOUNTING_RECORD (
    id bigint not null,
    RECEIVED_AT timestamp(6) with time zone not null,
    RECORD_NUMBER bigint not null,
    RECORD_TYPE varchar(8) not null,
    SESSION_ID varchar(512) not null,
    primary key (id),
    constraint UK_ACCOUNTING_RECORD unique (SESSION_ID, RECORD_NUMBER)
);
create table ACCOUNTING_SESSION (
    SESSION_ID varchar(512) not null,
    CALLED_PARTY varchar(512),
    CALLING_PARTY varchar(512),
    DELIVERY_END_TIME timestamp(6) with time zone,
    DELIVERY_START_TIME timestamp(6) with time zone,
    LAST_RECORD_NUMBER bigint not null,
    ORIGIN_HOST varchar(255) not null,
    SERVICE_REQUEST_TIME timestamp(6) with time zone,
    START_SEEN boolean not null,
    STATE varchar(8) not null check (STATE in ('OPEN','CLOSED')),
    USER_SESSION_ID varchar(512),
    VERSION bigint,
    primary key (SESSION_ID)
);
create table CDR (
    LOCAL_SEQUENCE_NUMBER bigint not null,
    BODY varbinary(16384) not null,
    CALLED_PARTY varchar(512),
    CALLING_PARTY varchar(512),
    CDR_ID varchar(128) not null unique,
    CLOSURE_TIME timestamp(6) with time zone not null,
    CREATED_AT timestamp(6) with time zone not null,
    INCOMPLETE boolean not null,
    OPENING_TIME timestamp(6) with time zone not null,
    PUBLISHED_AT timestamp(6) with time zone,
    SESSION_ID varchar(512) not null,
    primary key (LOCAL_SEQUENCE_NUMBER)
);
create table PENDING_ACR (
    id bigint not null,
    BUFFERED_AT timestamp(6) with time zone not null,
    CALLED_PARTY varchar(512),
    CALLING_PARTY varchar(512),
    CAUSE_CODE integer not null,
    END_TO_END integer not null,
    EVENT_TIME timestamp(6) with time zone not null,
    LAST_ERROR varchar(512),
    ORIGIN_HOST varchar(255) not null,
    RECORD_NUMBER bigint not null,
    SESSION_ID varchar(512) not null,
    SIP_METHOD varchar(32),
    SIP_REQUEST_TIME timestamp(6) with time zone,
    SIP_RESPONSE_TIME timestamp(6) with time zone,
    RECORD_TYPE varchar(8) not null check (RECORD_TYPE in ('EVENT','START','INTERIM','STOP')),
    USER_SESSION_ID varchar(512),
    primary key (id)
);
create index IX_CDR_UNPUBLISHED
   on CDR (PUBLISHED_AT, LOCAL_SEQUENCE_NUMBER);
create index IX_PENDING_ACR_SESSION
   on PENDING_ACR (SESSION_ID);
