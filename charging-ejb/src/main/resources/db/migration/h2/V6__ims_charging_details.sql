-- IMS charging details the CDR's AS record carries (TS 32.298): the SIP method of an event record [2], the
-- Service-Context-Id [30], the IMS charging identifier [19] and the inter-operator identifiers [14] of the
-- P-Charging-Vector, and the negotiated SDP media lines [21] (one line per text line, the m= line first).
-- The same four IMS values on a buffered ACR of the CTF (PENDING_ACR), so a record drained later keeps them.
alter table ACCOUNTING_SESSION add column SIP_METHOD varchar(32);
alter table ACCOUNTING_SESSION add column SERVICE_CONTEXT_ID varchar(128);
alter table ACCOUNTING_SESSION add column ICID varchar(128);
alter table ACCOUNTING_SESSION add column ORIGINATING_IOI varchar(128);
alter table ACCOUNTING_SESSION add column TERMINATING_IOI varchar(128);
alter table ACCOUNTING_SESSION add column SDP_MEDIA varchar(1100);
alter table PENDING_ACR add column ICID varchar(128);
alter table PENDING_ACR add column ORIGINATING_IOI varchar(128);
alter table PENDING_ACR add column TERMINATING_IOI varchar(128);
alter table PENDING_ACR add column SDP_MEDIA varchar(1100);
