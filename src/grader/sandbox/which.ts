import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

// The sandbox's own tools (bwrap, prlimit, setpriv, compilers) are looked up in the
// system directories, not on a PATH the worker happened to inherit.
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The first executable called `name` in the system directories (or `path`), or null. */
export function which(name: string, path = SYSTEM_PATH): string | null {
  if (name.includes('/')) return executable(name) ? name : null;
  const dirs = [...path.split(delimiter), '/usr/bin', '/bin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return null;
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
