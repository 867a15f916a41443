-- Partial CDRs (TS 32.298 5.1.3): the CDF closes a session's open record at an INTERIM when the partial-record
-- policy says so (sipcharge.cdf.partial.*). PARTIAL_SEQUENCE: partial records closed so far (the last
-- recordSequenceNumber); PARTIAL_START: when the open record began (null: at the delivery start);
-- PARTIAL_INTERIMS: INTERIMs received since then. CDR.RECORD_SEQUENCE_NUMBER: null for a one-record session.
alter table ACCOUNTING_SESSION add column PARTIAL_SEQUENCE integer default 0 not null;
alter table ACCOUNTING_SESSION add column PARTIAL_START timestamp(6) with time zone;
alter table ACCOUNTING_SESSION add column PARTIAL_INTERIMS integer default 0 not null;
alter table CDR add column RECORD_SEQUENCE_NUMBER bigint;
-- Subscription-Id of the served user (END_USER_IMSI, END_USER_E164) when the CTF sends one: the CDR's
-- list-of-subscription-ID and the charging filtering function's IMSI rules use it.
alter table ACCOUNTING_SESSION add column SUBSCRIPTION_IMSI varchar(64);
alter table ACCOUNTING_SESSION add column SUBSCRIPTION_E164 varchar(64);
