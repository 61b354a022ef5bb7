// Files on local disk under <data dir>/files: the default, and what a shared volume
// gives several replicas. Writes are renamed into place, so a key never names half a file.
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { FileStore } from './file-store.js';

export class DiskFileStore implements FileStore {
  readonly stagingDir: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.stagingDir = join(this.root, '.staging');
  }

  async init(): Promise<this> {
    await mkdir(this.stagingDir, { recursive: true });
    return this;
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep) || path.startsWith(this.stagingDir + sep)) throw new Error(`bad storage key ${key}`);
    return path;
  }

  async put(key: string, stagedPath: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    await rename(stagedPath, path);
  }

  async open(key: string): Promise<Readable | null> {
    let path: string;
    try {
      path = this.pathOf(key);
      if (!(await stat(path)).isFile()) return null;
    } catch {
      return null;
    }
    return createReadStream(path);
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async writable(): Promise<boolean> {
    const probe = join(this.stagingDir, `.probe-${process.pid}`);
    try {
      const fh = await open(probe, 'w');
      await fh.close();
      await rm(probe, { force: true });
      return true;
    } catch {
      return false;
    }
  }
}
