/**
 * The attackers of the abuse check, in a process of their own so that the ordinary client's latency is the
 * server's and not that of an event loop busy making attacks: every attack at once and over and over, until
 * SIGTERM; then one JSON line with what each attack got back.
 *   node bench/abuse-attackers.ts '{"url": …, "token": …}'
 */
import { attacks } from './abuse-requests.ts';

const { url, token } = JSON.parse(String(process.argv[2])) as { url: string; token: string };
let attacking = true;
process.once('SIGTERM', () => {
  attacking = false;
});
const outcomes: Record<string, Record<string, number>> = {};
const attackers = Object.entries(attacks(url, token)).map(async ([name, attack]) => {
  const seen: Record<string, number> = {};
  outcomes[name] = seen;
  while (attacking) {
    const outcome = String(await attack());
    seen[outcome] = (seen[outcome] ?? 0) + 1;
  }
});
console.log('attacking');
await Promise.all(attackers);
console.log(JSON.stringify(outcomes));
