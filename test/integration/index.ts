// The integration suite's entry inside the extension host: the `run()` both runners call
// (@vscode/test-electron's extensionTestsPath, and code-server's test payload).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Marks the one line the runners parse: `PENNY_RESULT {"passed":N,"failed":M}`. */
export const RESULT_MARKER = 'PENNY_RESULT';

export function run(): Promise<void> {
  // 60 s per test (a loaded 2-core machine runs VS Code slowly; each wait inside has its own bound); PENNY_TEST_TIMEOUT_MS (in the runner's environment, inherited by the extension host) overrides it.
  const timeout = Number(process.env.PENNY_TEST_TIMEOUT_MS) || 60_000;
  const mocha = new Mocha({ ui: 'bdd', timeout, color: false, reporter: 'spec' });
  const dir = __dirname; // out/test/integration
  const files = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.test.js'))
    .sort();
  for (const file of files) mocha.addFile(path.join(dir, file));

  return new Promise((resolve, reject) => {
    let passed = 0;
    let failed = 0;
    const finish = (error?: unknown) => {
      if (error) failed = Math.max(failed, 1);
      console.log(`${RESULT_MARKER} ${JSON.stringify({ passed, failed })}`);
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else if (failed > 0) reject(new Error(`${failed} integration test(s) failed`));
      else resolve();
    };
    try {
      if (files.length === 0) throw new Error(`no *.test.js files in ${dir}`);
      const runner = mocha.run(() => finish());
      runner.on('pass', () => passed++);
      runner.on('fail', () => failed++);
    } catch (error) {
      console.error(error);
      finish(error);
    }
  });
}
