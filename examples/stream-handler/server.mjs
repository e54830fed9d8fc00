// A tiny HTTP wrapper that runs a Lambda handler for dynamo-emu's stream
// trigger: each POST body is the event ({"Records": [...]}); a handler that
// returns answers 200, one that throws answers 500 and dynamo-emu retries
// the same batch with back-off.
//
//   node server.mjs [handler-module] [port]      (defaults: ./handler.mjs, 9001; 0: any)
//   dynamo-emu --stream-handler http://127.0.0.1:9001/
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const modulePath = resolve(process.argv[2] ?? new URL('./handler.mjs', import.meta.url).pathname);
const port = Number(process.argv[3] ?? process.env.PORT ?? 9001);
const { handler } = await import(pathToFileURL(modulePath).href);

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const result = await handler(event, { functionName: 'local-stream-handler' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result ?? null));
    } catch (err) {
      console.error(`handler failed: ${err?.message ?? err}`);
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errorMessage: String(err?.message ?? err) }));
    }
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`stream handler listening on http://127.0.0.1:${server.address().port}/`);
});
