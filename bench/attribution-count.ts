// The bench's baseline: read the path file and count its rows, nothing else (same process
// start-up as the CLI: node + tsx).
import { createReadStream } from 'node:fs';

let rows = -1;
for await (const chunk of createReadStream(process.argv[2]!, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
  for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) rows++;
}
process.stdout.write(`${rows}\n`);
