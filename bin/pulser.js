#!/usr/bin/env node
// The CLI bundled by scripts/bundle-cli.js (npm run build): dist/cli/main.js and its modules.
import { main } from '../dist/bundle/main.js';

// A reader that goes away (`pulser logs RUN | head`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
