-- CDF session supervision (CdfSessionSupervisor): when each accounting session last sent a record. Sessions open
-- before this version start their silence now.
alter table ACCOUNTING_SESSION add column LAST_ACTIVITY timestamp(6) with time zone;
update ACCOUNTING_SESSION set LAST_ACTIVITY = current_timestamp where LAST_ACTIVITY is null;
create index IX_SESSION_SILENCE on ACCOUNTING_SESSION (STATE, LAST_ACTIVITY);
