/**
 * Streams that ask for the same start at about the same time (thousands of subscribers connecting) share
 * one read of it, and none of them misses a change published while it was being read.
 */
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { DEFAULT_TENANT_SETTINGS, type Tenant } from '../../server/domain/model.ts';
import { createEvents, INITIAL_READ_WINDOW_MS } from '../../server/services/events.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const tenant = (name: string): Tenant => ({
  id: 1,
  name,
  primaryDomain: 'contoso.com',
  meetingUrl: 'https://meet.contoso.com',
  teamsUpgradeMode: 'ISLANDS',
  createdAt: new Date(0),
  ...DEFAULT_TENANT_SETTINGS,
});

/** The events of one process, and a start to read whose reads the test counts and finishes. */
function setUp() {
  const events = createEvents({
    summaryOf: () => Promise.reject(new Error('not read here')),
    tenant: () => Promise.resolve(null),
    triggerEvaluations: () => Promise.resolve([]),
    migrations: () => Promise.resolve([]),
  });
  const reads: ((tenants: Tenant[]) => void)[] = [];
  const initial = () => new Promise<Tenant[]>((resolve) => reads.push(resolve));
  const stream = (initialKey: string) => events.stream('tenantSettings', 1, { initial, initialKey });
  return { events, reads, stream };
}

/** Until the read of the streams that asked so far has begun. */
const windowEnds = () => vi.advanceTimersByTimeAsync(INITIAL_READ_WINDOW_MS);
const names = async (stream: AsyncIterator<Tenant>, count: number) => {
  const taken: string[] = [];
  for (let i = 0; i < count; i++) taken.push(((await stream.next()).value as Tenant).name);
  return taken;
};

test('streams that ask together share one read, and each gets what was published while it was read', async () => {
  const { events, reads, stream } = setUp();
  const streams = [stream('settings'), stream('settings'), stream('settings')];
  await windowEnds();
  expect(reads).toHaveLength(1);
  events.tenantSettingsChanged(tenant('renamed while read'));
  reads[0]?.([tenant('as read')]);
  for (const each of streams) expect(await names(each, 2)).toEqual(['as read', 'renamed while read']);
});

test('streams that ask in later turns, before the read begins, share it too', async () => {
  const { reads, stream } = setUp();
  const first = stream('settings');
  await vi.advanceTimersByTimeAsync(INITIAL_READ_WINDOW_MS - 1);
  expect(reads).toHaveLength(0);
  const second = stream('settings');
  await vi.advanceTimersByTimeAsync(1);
  expect(reads).toHaveLength(1);
  reads[0]?.([tenant('as read')]);
  expect(await names(first, 1)).toEqual(['as read']);
  expect(await names(second, 1)).toEqual(['as read']);
});

test('a stream that asks once the read has begun reads again, and another question is read on its own', async () => {
  const { reads, stream } = setUp();
  const first = stream('settings');
  const other = stream('something else');
  await windowEnds();
  expect(reads).toHaveLength(2);
  const late = stream('settings');
  await windowEnds();
  expect(reads).toHaveLength(3);
  for (const [i, read] of reads.entries()) read([tenant(`read ${i}`)]);
  expect(await names(first, 1)).toEqual(['read 0']);
  expect(await names(other, 1)).toEqual(['read 1']);
  expect(await names(late, 1)).toEqual(['read 2']);
});
