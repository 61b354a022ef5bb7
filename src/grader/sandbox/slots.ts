// Concurrency slots. As root each slot runs as its own host UID (base + index), so
// concurrent submissions can neither signal nor read each other even outside the
// namespaces, and each slot owns its work directories.
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Slot {
  readonly index: number;
  /** Host UID the sandbox runs as; null when we cannot switch users (not root). */
  readonly uid: number | null;
}

export interface WorkDir {
  readonly path: string;
  remove(): Promise<void>;
}

export class SlotPool {
  private readonly free: number[];
  private readonly waiters: Array<(slot: Slot) => void> = [];
  private base: Promise<string> | undefined;

  constructor(
    readonly size: number,
    private readonly baseUid: number | null,
    private readonly root: string = tmpdir(),
  ) {
    this.free = Array.from({ length: size }, (_, i) => i);
  }

  acquire(): Promise<Slot> {
    const index = this.free.shift();
    if (index !== undefined) return Promise.resolve(this.slot(index));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(slot: Slot): void {
    const next = this.waiters.shift();
    if (next) next(slot);
    else this.free.push(slot.index);
  }

  private slot(index: number): Slot {
    return Object.freeze({ index, uid: this.baseUid === null ? null : this.baseUid + index });
  }

  /** A fresh directory that only this slot's user may enter. */
  async workDir(slot: Slot): Promise<WorkDir> {
    // The parent is traversable (0711) but not listable, so one slot cannot find another's files.
    this.base ??= mkdtemp(join(this.root, 'xqueue-grader-')).then(async (dir) => {
      await chmod(dir, 0o711);
      return dir;
    });
    const base = await this.base;
    const path = await mkdtemp(join(base, `slot${slot.index}-`));
    if (slot.uid !== null) await chown(path, slot.uid, slot.uid);
    return {
      path,
      remove: () => rm(path, { recursive: true, force: true }),
    };
  }

  /** Makes a directory inside a work dir owned by the slot's user. */
  async subDir(slot: Slot, path: string): Promise<void> {
    await mkdir(path, { recursive: true });
    if (slot.uid !== null) await chown(path, slot.uid, slot.uid);
  }

  async dispose(): Promise<void> {
    if (this.base) await rm(await this.base, { recursive: true, force: true });
  }
}
