import pg from 'pg';

const url = 'postgres://postgres@127.0.0.1:5432/mms_explain';
const c = new pg.Client({ connectionString: url });
await c.connect();
await c.query('alter table meeting_results set (autovacuum_enabled = false)');
await c
  .query(
    `insert into meeting_migrations (correlation_id, tenant_id, user_id, state, source_meeting_type, target_meeting_type, created_at, modified_at, not_before, retry_count, total_meetings, succeeded_meetings, failed_meetings, skipped_meetings, invites_updated) select 'x'||u.id, u.tenant_id, u.id, 'SUCCEEDED', 'ALL', 'TEAMS', 'a', 'a', 'a',0,0,0,0,0,0 from users u`,
  )
  .catch((e) => console.log(e.message));
const {
  rows: [{ n }],
} = await c.query('select count(*) n from meeting_migrations');
console.log('migrations', n);
await c
  .query(
    `insert into meeting_results (migration_id, meeting_id, outcome, reason, recorded_at) select mm.id, m.id, 'UPDATED', 'r', 'x' from meetings m join meeting_migrations mm on mm.user_id = m.organizer_id`,
  )
  .catch((e) => console.log(e.message));
const {
  rows: [u],
} = await c.query('select organizer_id from meetings order by id desc limit 1');
const q = `explain analyze select meetings.*, meeting_results.outcome as done_outcome from meetings left join meeting_results on meeting_results.meeting_id = meetings.id and meeting_results.migration_id = (select max(id) from meeting_migrations) where meetings.organizer_id = ${u.organizer_id} and meetings.id > 0 and (meetings.last_occurrence_ends_at is null or meetings.last_occurrence_ends_at > '2026-01-01') order by meetings.id limit 250`;
for (const r of (await c.query(q)).rows) console.log(r['QUERY PLAN']);
const q2 = `explain analyze select meeting_id, outcome from meeting_results where migration_id = (select max(id) from meeting_migrations) and meeting_id = any(array[1,2,3,4,5,6,7,8,9,10])`;
for (const r of (await c.query(q2)).rows) console.log(r['QUERY PLAN']);
await c.end();
