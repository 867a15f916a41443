-- A session the CDF's supervision closed without its STOP (incomplete CDR, aCRStopLost). When an INTERIM or STOP of
-- it arrives later (the CTF was cut off longer than the supervision allows), the session is opened again and the
-- rest of the call is charged in a continuation record instead of being lost.
alter table ACCOUNTING_SESSION add column STOP_LOST boolean default false not null;
