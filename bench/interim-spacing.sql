-- How late the INTERIMs reached the CDF, as the CDF stored them: the spacing of each INTERIM after the record before it
-- in its session (START or INTERIM, by RECEIVED_AT), beyond the interim interval. This counts what the CTF's own
-- lateness figures (acr.interims.late*, measured when a timer fires) do not: an INTERIM whose predecessor was answered
-- or settled late is armed one interval after that settlement, so it leaves "on time" by its timer but late by the
-- session's rhythm. Used by cluster-calls.sh after a run on PostgreSQL; psql variables: interval_s (the interim
-- interval in seconds) and kill_ms (epoch milliseconds of the kill, 0 when there was none).
with r as (
    select record_type, received_at,
           lag(received_at) over (partition by session_id order by record_number) as prev_at
    from accounting_record
    where record_type in ('START', 'INTERIM')
), s as (
    select extract(epoch from (received_at - prev_at)) * 1000 - :interval_s * 1000 as late_ms,
           case when :kill_ms = 0 or received_at < to_timestamp(:kill_ms / 1000.0) then '1 before the kill'
                when prev_at <= to_timestamp(:kill_ms / 1000.0) then '2 across the kill'
                else '3 after the kill' end as phase
    from r
    where record_type = 'INTERIM' and prev_at is not null
)
select phase, count(*) as interims,
       round(percentile_cont(0.5) within group (order by late_ms)) as p50_late_ms,
       round(percentile_cont(0.99) within group (order by late_ms)) as p99_late_ms,
       round(max(late_ms)) as max_late_ms,
       count(*) filter (where late_ms > 2000) as over_2s
from s
group by phase
order by phase;
