// The Node binding: start() to the first answered request (in-process
// dispatch, and GET / over HTTP with fetch), and memory per idle emulator.
//   cd bindings/node && DYNAMO_EMU_LIB=../../build/server/libdynamo-emu.so node ../../bench/embed_bindings.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The binding, resolved from bindings/node (its koffi).
const { start, version } = await import(join(process.cwd(), 'index.mjs'));

const rssKib = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
const runs = Number(process.argv[2] ?? 30);
const count = Number(process.argv[3] ?? 10);

version();
// Memory first, before the C heap has freed memory to reuse.
const before = rssKib();
const running = [];
for (let i = 0; i < count; i++) {
  const emu = await start({ threads: 1 });
  emu.dispatch('ListTables');
  running.push(emu);
}
await new Promise((r) => setTimeout(r, 300));
const after = rssKib();
console.log(`Node: ${count} idle emulators (threads=1) add ${after - before} KiB, ${((after - before) / count).toFixed(0)} KiB each`);
await Promise.all(running.map((e) => e.stop()));
for (const http of [false, true]) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const begin = process.hrtime.bigint();
    const emu = await start();
    if (http) await (await fetch(`${emu.endpoint}/`)).text();
    else if (emu.dispatch('ListTables').status !== 200) throw new Error('no answer');
    times.push(Number(process.hrtime.bigint() - begin) / 1e6);
    await emu.stop();
  }
  times.sort((a, b) => a - b);
  console.log(`Node start() to first answer, ${http ? 'HTTP GET /' : 'dispatch  '} best ${times[0].toFixed(2)} ms  median ${times[runs >> 1].toFixed(2)} ms`);
}
