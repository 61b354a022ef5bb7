// The bench's own account of every submission: accepted by the server, claimed by which
// graders, graded, and called back. Submitters, graders and the fake LMS write to it;
// the report reads it. Times are performance.now() milliseconds of this process.
import type { LmsSubmission } from './lms-submission.js';

export interface Tracked {
  readonly submission: LmsSubmission;
  accepted: boolean;
  /** When put_result's success reply reached the grader. */
  gradedAt?: number;
  /** When the first callback reached the fake LMS. */
  calledBackAt?: number;
  callbacks: number;
}

interface Claims {
  count: number;
  /** Graders holding it: claimed and not yet answered by put_result. */
  holders: number;
  graded: boolean;
}

export class Ledger {
  readonly all: Tracked[] = [];
  private readonly byKey = new Map<string, Tracked>();
  private readonly byStudent = new Map<string, Tracked>();
  private readonly claims = new Map<number, Claims>();

  accepted = 0;
  graded = 0;
  /** Callbacks whose lms_key is known, counted once per submission. */
  calledBack = 0;
  callbacksReceived = 0;
  duplicateCallbacks = 0;
  /** Callbacks for no submission of this run, on the wrong path, or with a body the grader did not send. */
  extraCallbacks = 0;
  /** A submission handed to a second grader while the first still held it. */
  duplicateDeliveries = 0;
  /** A graded submission handed out again. */
  redeliveriesAfterGrade = 0;
  claimsTotal = 0;

  add(submission: LmsSubmission): Tracked {
    const t: Tracked = { submission, accepted: false, callbacks: 0 };
    this.all.push(t);
    this.byKey.set(submission.lmsKey, t);
    this.byStudent.set(submission.anonymousStudentId, t);
    return t;
  }

  byLmsKey(key: string): Tracked | undefined {
    return this.byKey.get(key);
  }

  byStudentId(id: string): Tracked | undefined {
    return this.byStudent.get(id);
  }

  /** A grader received submission `id`. */
  claimed(id: number): void {
    this.claimsTotal++;
    let c = this.claims.get(id);
    if (!c) this.claims.set(id, (c = { count: 0, holders: 0, graded: false }));
    if (c.holders > 0) this.duplicateDeliveries++;
    if (c.graded) this.redeliveriesAfterGrade++;
    c.count++;
    c.holders++;
  }

  /** A grader is done with `id`: put_result answered (graded or refused) or failed. */
  released(id: number, graded: boolean): void {
    const c = this.claims.get(id);
    if (!c) return;
    c.holders = Math.max(0, c.holders - 1);
    if (graded) c.graded = true;
  }

  get missingCallbacks(): number {
    return this.accepted - this.calledBack;
  }
}
