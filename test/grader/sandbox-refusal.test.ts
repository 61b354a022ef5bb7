// Without a working bubblewrap the worker refuses to run learner code, unless the
// loudly named unsafe flag is given.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraderError } from '../../src/grader/errors.js';
import { DEFAULT_LIMITS } from '../../src/grader/sandbox/limits.js';
import { createSandbox } from '../../src/grader/sandbox/sandbox.js';

describe('sandbox availability', () => {
  it.each([
    ['missing', '/nonexistent/bwrap', /not found/],
    ['broken', '/bin/false', /does not work here/],
  ])('refuses when bubblewrap is %s', async (_what, bwrap, message) => {
    const err = await createSandbox({ concurrency: 1, bwrap }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraderError);
    expect((err as GraderError).code).toBe('sandbox_unavailable');
    expect((err as GraderError).message).toMatch(message);
  });

  it('runs without isolation only with the unsafe flag, and says so', async () => {
    const sandbox = await createSandbox({ concurrency: 1, bwrap: '/bin/false', unsafeNoSandbox: true });
    try {
      expect(sandbox.isolated).toBe(false);
      const slot = await sandbox.slots.acquire();
      const dir = await sandbox.slots.workDir(slot);
      await writeFile(join(dir.path, 'main.py'), 'print("unsafe but limited")');
      const out = await sandbox.run(slot, { argv: ['/usr/bin/python3', 'main.py'], workDir: dir.path, limits: DEFAULT_LIMITS });
      expect(out.stdout.toString()).toBe('unsafe but limited\n');
      const spin = await sandbox.run(slot, { argv: ['/usr/bin/python3', '-c', 'while True: pass'], workDir: dir.path, limits: { ...DEFAULT_LIMITS, cpuSeconds: 1 } });
      expect(spin.status).toBe('signaled');
      await dir.remove();
      sandbox.slots.release(slot);
    } finally {
      await sandbox.dispose();
    }
  });

  it('uses the real sandbox when it works, even with the unsafe flag', async () => {
    const sandbox = await createSandbox({ concurrency: 1, unsafeNoSandbox: true });
    expect(sandbox.isolated).toBe(true);
    await sandbox.dispose();
  });
});
