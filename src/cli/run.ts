/** Process entry for the CLI when run from source (`node --import tsx src/cli/run.ts ...`); bin/gatehouse.js is the same for dist. */
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`gatehouse: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
