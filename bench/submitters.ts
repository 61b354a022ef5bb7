// Phase 1: C virtual LMS clients, each logged in once, POST the prepared submissions to
// /xqueue/submit/ as fast as the server answers. A submission counts as accepted when the
// reply is the success envelope with the queue length as a string (spec §3.4).
import { performance } from 'node:perf_hooks';
import { BenchClient, parseEnvelope } from './http-client.js';
import type { Ledger } from './ledger.js';
import type { Recorder } from './stats.js';

export interface Target {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Per request. */
  readonly timeoutMs: number;
}

export interface PhaseResult {
  readonly startedAt: number;
  readonly endedAt: number;
  /** The first few unexpected replies, for the report. */
  readonly problems: string[];
}

export const MAX_PROBLEMS = 10;

/** Logs in `count` clients at once; their login latencies go to `login`. */
export async function loginClients(target: Target, count: number, login: Recorder): Promise<BenchClient[]> {
  const clients = Array.from({ length: count }, () => new BenchClient(target.url, target.timeoutMs));
  await Promise.all(
    clients.map(async (c) => {
      const r = await c.login(target.username, target.password);
      login.add(r.ms);
    }),
  );
  return clients;
}

export async function runSubmitters(
  clients: readonly BenchClient[],
  ledger: Ledger,
  submit: Recorder,
  deadline: number,
): Promise<PhaseResult> {
  const problems: string[] = [];
  const note = (p: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      // Each pass takes the next submission: bounded by the ledger's size and the deadline.
      while (next < ledger.all.length && performance.now() < deadline) {
        const t = ledger.all[next++]!;
        try {
          const r = await client.post('/xqueue/submit/', t.submission.form);
          const envelope = parseEnvelope(r.text);
          if (r.status === 200 && envelope?.return_code === 0 && typeof envelope.content === 'string') {
            submit.add(r.ms);
            t.accepted = true;
            ledger.accepted++;
          } else {
            submit.errors++;
            note(`submit: HTTP ${r.status} ${r.text.slice(0, 160)}`);
          }
        } catch (err) {
          submit.errors++;
          note(`submit: ${(err as Error).message}`);
        }
      }
    }),
  );
  return { startedAt, endedAt: performance.now(), problems };
}
