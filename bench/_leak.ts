import { startDocker } from '../src/sandbox/index.js';
import { DockerProbe } from '../src/probes/docker.js';
const dk = await startDocker();
for (let i = 0; i < 3; i++) await dk.runContainer({ name: `c${i}`, cmd: ['sleep', '3600'] });
const probe = new DockerProbe({ socketPath: dk.socketPath, interval: 100, statsInterval: 200, stopTimeout: 1000 }, 3000);
const mem = () => { const m = process.memoryUsage(); return `rss ${(m.rss/1048576).toFixed(1)} heap ${(m.heapUsed/1048576).toFixed(1)} ext ${(m.external/1048576).toFixed(1)} ab ${(m.arrayBuffers/1048576).toFixed(1)}`; };
console.log('start', mem());
for (let i = 1; i <= 1500; i++) {
  const r = await probe.read(new AbortController().signal);
  if (!r.ok) console.log(r.error);
  if (i % 300 === 0) { (globalThis as any).gc?.(); console.log(i, mem()); }
}
await probe.close();
await dk.stop();
