// A one-line progress counter on stderr, redrawn in place; silent when stderr is not a terminal.

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

const REDRAW_MS = 100;

export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { tick() {}, done() {} };
  let count = 0;
  let last = 0;
  const draw = () => {
    const pct = total > 0 ? Math.min(100, Math.floor((count / total) * 100)) : 100;
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count}/${total} ${pct}%\x1b[K`);
  };
  draw();
  return {
    tick(n = 1) {
      count += n;
      const now = Date.now();
      if (now - last >= REDRAW_MS) {
        last = now;
        draw();
      }
    },
    done() {
      draw();
      stream.write('\n');
    },
  };
}
