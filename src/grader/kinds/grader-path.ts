// Where a payload's {"grader": "relative/path"} points, with xqueue-watcher's guards:
// no ".." component, and the resolved real path stays inside the grader root.
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, sep } from 'node:path';
import { GraderError } from '../errors.js';

export interface GraderFile {
  /** Real path of the course's directory holding the grader file. */
  readonly dir: string;
  /** The grader file's name in that directory. */
  readonly file: string;
}

export async function resolveGrader(root: string | null, relative: string): Promise<GraderFile> {
  if (root === null) throw new GraderError('grader_config', 'this worker has no grader root (--grader-root), so it cannot run course grader files');
  if (isAbsolute(relative) || relative.split(/[\\/]/).includes('..')) {
    throw new GraderError('grader_config', `grader path "${relative}" must be relative and may not contain ".."`);
  }
  let rootReal: string, real: string;
  try {
    rootReal = await realpath(root);
    real = await realpath(join(rootReal, relative));
  } catch {
    throw new GraderError('grader_config', `grader file "${relative}" was not found under the grader root`);
  }
  if (!real.startsWith(rootReal + sep)) throw new GraderError('grader_config', `grader path "${relative}" leaves the grader root`);
  if (!(await stat(real)).isFile()) throw new GraderError('grader_config', `grader path "${relative}" is not a file`);
  return { dir: dirname(real), file: basename(real) };
}
