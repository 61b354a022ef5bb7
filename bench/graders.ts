// Phase 2: G graders loop as xqueue-watcher does (clients.md §3.2): GET get_submission,
// then POST put_result echoing the received header verbatim with a fixed reply. They stop
// when every accepted submission is graded, or at the deadline. An empty queue before
// then means submissions are leased elsewhere or lost; the grader waits a little and polls
// again, so that case is bounded by the deadline, never by a count of polls.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { formEncode, parseEnvelope, type BenchClient } from './http-client.js';
import type { Ledger } from './ledger.js';
import { GRADER_REPLY } from './lms-submission.js';
import type { Recorder } from './stats.js';
import { MAX_PROBLEMS, type PhaseResult } from './submitters.js';

const EMPTY_QUEUE_PAUSE_MS = 20;

export interface GraderRecorders {
  readonly getSubmission: Recorder;
  readonly putResult: Recorder;
}

export interface DrainResult extends PhaseResult {
  readonly emptyPolls: number;
  /** put_result answered "Incorrect key for submission": the key was rotated by a re-claim. */
  readonly staleKeys: number;
}

interface Claimed {
  readonly header: string;
  readonly submissionId: number;
  readonly studentId: string | undefined;
}

/** Unpacks get_submission's content: a JSON string holding the header, body and files strings. */
function unpack(content: string): Claimed {
  const c = JSON.parse(content) as { xqueue_header: string; xqueue_body: string };
  const header = JSON.parse(c.xqueue_header) as { submission_id: number | string };
  let studentId: string | undefined;
  try {
    const body = JSON.parse(c.xqueue_body) as { student_info?: string };
    studentId = (JSON.parse(body.student_info ?? '{}') as { anonymous_student_id?: string }).anonymous_student_id;
  } catch {
    studentId = undefined;
  }
  return { header: c.xqueue_header, submissionId: Number(header.submission_id), studentId };
}

export async function runGraders(
  clients: readonly BenchClient[],
  queue: string,
  ledger: Ledger,
  rec: GraderRecorders,
  deadline: number,
): Promise<DrainResult> {
  const problems: string[] = [];
  const note = (p: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const pollPath = `/xqueue/get_submission/?queue_name=${encodeURIComponent(queue)}`;
  const done = () => ledger.graded >= ledger.accepted || performance.now() >= deadline;
  let emptyPolls = 0;
  let staleKeys = 0;

  const grade = async (client: BenchClient) => {
    const got = await client.get(pollPath);
    const envelope = parseEnvelope(got.text);
    if (got.status !== 200 || !envelope) {
      rec.getSubmission.errors++;
      note(`get_submission: HTTP ${got.status} ${got.text.slice(0, 160)}`);
      return sleep(EMPTY_QUEUE_PAUSE_MS);
    }
    if (envelope.return_code !== 0) {
      // "Queue 'Q' is empty" is a normal reply: timed, not an error.
      rec.getSubmission.add(got.ms);
      if (typeof envelope.content === 'string' && envelope.content.endsWith(' is empty')) emptyPolls++;
      else {
        rec.getSubmission.errors++;
        note(`get_submission: ${got.text.slice(0, 160)}`);
      }
      return sleep(EMPTY_QUEUE_PAUSE_MS);
    }
    rec.getSubmission.add(got.ms);
    const claimed = unpack(String(envelope.content));
    ledger.claimed(claimed.submissionId);
    const tracked = claimed.studentId === undefined ? undefined : ledger.byStudentId(claimed.studentId);
    if (!tracked) note(`get_submission: submission ${claimed.submissionId} is not one of this run`);
    let graded = false;
    try {
      const put = await client.post('/xqueue/put_result/', formEncode({ xqueue_header: claimed.header, xqueue_body: GRADER_REPLY }));
      const reply = parseEnvelope(put.text);
      if (put.status === 200 && reply?.return_code === 0) {
        rec.putResult.add(put.ms);
        graded = true;
        ledger.graded++;
        if (tracked) tracked.gradedAt = performance.now();
      } else if (put.status === 200 && reply?.content === 'Incorrect key for submission') {
        rec.putResult.add(put.ms);
        staleKeys++;
      } else {
        rec.putResult.errors++;
        note(`put_result: HTTP ${put.status} ${put.text.slice(0, 160)}`);
      }
    } catch (err) {
      rec.putResult.errors++;
      note(`put_result: ${(err as Error).message}`);
    } finally {
      ledger.released(claimed.submissionId, graded);
    }
  };

  const startedAt = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (!done()) {
        try {
          await grade(client);
        } catch (err) {
          rec.getSubmission.errors++;
          note(`grader: ${(err as Error).message}`);
          await sleep(EMPTY_QUEUE_PAUSE_MS);
        }
      }
    }),
  );
  return { startedAt, endedAt: performance.now(), problems, emptyPolls, staleKeys };
}
