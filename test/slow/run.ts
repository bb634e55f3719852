// The slow layer: mocha over the compiled slow tests next to this file (out/test/slow/*.test.js):
// a ledger of a million records, and SIGKILL crash safety of the chat stack. Minutes, not seconds,
// so they stay out of the unit layer.
//
//   import { runSlowTests } from './slow/run';  const { passed, failed } = await runSlowTests();
//   node out/test/slow/run.js                   (exit code 1 if anything failed)
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface SlowTestOptions {
  /** Per-test timeout (default 5 minutes; the tests set their own bounds too). */
  timeoutMs?: number;
  /** Only tests whose full title matches. */
  grep?: string | RegExp;
  /** Default: the *.test.js files in this file's directory. */
  files?: string[];
  reporter?: string;
}

export function slowTestFiles(dir = __dirname): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.test.js'))
    .sort()
    .map((name) => path.join(dir, name));
}

export function runSlowTests(options: SlowTestOptions = {}): Promise<{ passed: number; failed: number }> {
  const files = options.files ?? slowTestFiles();
  if (files.length === 0) return Promise.reject(new Error(`no slow tests (*.test.js) in ${__dirname}: build the tests first`));
  const mocha = new Mocha({ ui: 'bdd', reporter: options.reporter ?? 'spec', timeout: options.timeoutMs ?? 300_000, color: process.stdout.isTTY });
  if (options.grep) mocha.grep(options.grep);
  for (const file of files) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    let passed = 0;
    let failed = 0;
    try {
      const runner = mocha.run(() => {
        mocha.dispose();
        resolve({ passed, failed });
      });
      runner.on('pass', () => passed++);
      runner.on('fail', () => failed++);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

if (require.main === module) {
  runSlowTests({ grep: process.env.PENNY_SLOW_GREP }).then(
    ({ passed, failed }) => {
      console.log(`${passed} passed, ${failed} failed`);
      process.stdout.write('', () => process.exit(failed > 0 ? 1 : 0));
    },
    (error: unknown) => {
      console.error(error);
      console.log('0 passed, 1 failed');
      process.exit(1);
    },
  );
}
