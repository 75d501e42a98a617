// Cost of one frame: the whole console rendered by Ink (layout + output string) against a
// store filled with realistic readings, at 80×24 and 200×60, while probe results keep arriving.
// Baseline: a minimal Ink app (one line of text) rendered the same number of times.
import { EventEmitter } from 'node:events';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { median } from './_sandbox.js';
import type { Row } from './types.js';

// React picks its build when first loaded: load it (and everything that imports it) only after
// NODE_ENV says production, as the console does.
Object.assign(process.env, { NODE_ENV: 'production' });
const [
  { render, Text },
  { createElement },
  { hostMetrics },
  { fixedClock },
  { ConsoleRoot },
  { fixedSize },
  { filledStore, hostReading, T0 },
] = await Promise.all([
  import('ink'),
  import('react'),
  import('../src/probes/host.js'),
  import('../src/ui/clock.js'),
  import('../src/ui/root.js'),
  import('../src/ui/size.js'),
  import('../test/ui/fixtures.js'),
]);

class NullStream extends EventEmitter {
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  isTTY = true;
  write(): boolean {
    return true;
  }
}

class NullInput extends EventEmitter {
  isTTY = true;
  setRawMode(): void {}
  setEncoding(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): null {
    return null;
  }
}

const gc = (() => {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
const heapMiB = () => {
  gc();
  return process.memoryUsage().heapUsed / 1048576;
};

async function frameTimes(
  columns: number,
  rows: number,
  minimal: boolean,
  frames = 60,
  heapAt: number[] = [],
): Promise<number[]> {
  const times: number[] = [];
  const store = filledStore();
  const stdout = new NullStream(columns, rows) as unknown as NodeJS.WriteStream;
  const io = {
    stdout,
    stdin: new NullInput() as unknown as NodeJS.ReadStream,
    stderr: stdout,
    debug: true,
    patchConsole: false,
    exitOnCtrlC: false,
    onRender: ({ renderTime }: { renderTime: number }) => times.push(renderTime),
  };
  const tree = (i: number) =>
    minimal
      ? createElement(Text, null, `opsdeck ${i}`)
      : createElement(ConsoleRoot, {
          store,
          size: fixedSize(columns, rows),
          clock: fixedClock(T0),
          hostname: 'web-01',
          readOnly: false,
          onQuit: () => {},
        });
  const app = render(tree(0), io);
  for (let i = 1; i <= frames; i++) {
    if (minimal) app.rerender(tree(i));
    else {
      const h = hostReading(Math.round(Math.random() * 1000) / 10);
      h.load.one = Math.random() * 4;
      store
        .getState()
        .applyResult('host', { ok: true, at: T0 + i, latencyMs: 3, reading: h, metrics: hostMetrics(h) }, T0 + i);
    }
    await new Promise((r) => setImmediate(r));
    if (heapAt.length > 0 && (i === 500 || i === frames)) heapAt.push(heapMiB());
  }
  app.unmount();
  return times.slice(5);
}

/** Median Ink render time per frame of the overview, against a one-line Ink app. */
export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const base = median(await frameTimes(80, 24, true));
  for (const [c, r] of [
    [80, 24],
    [200, 60],
  ] as const) {
    rows.push({
      name: `console frame render time (overview ${c}×${r})`,
      unit: 'ms',
      opsdeck: median(await frameTimes(c, r, false)),
      baseline: base,
      baselineName: 'minimal Ink app (one line)',
    });
  }
  // Ink keeps the size of every distinct text it measured; live values must not grow that.
  const heap = [0];
  await frameTimes(80, 24, false, 3000, heap);
  rows.push({
    name: 'heap growth, frames 500 → 3000 of live data',
    unit: 'MiB',
    opsdeck: heap[2]! - heap[1]!,
    baseline: 0,
    baselineName: 'flat',
    target: '≈ 0',
  });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run())
    console.log(`${r.name}: ${r.opsdeck.toFixed(2)} ${r.unit} (baseline ${r.baseline.toFixed(2)})`);
}
