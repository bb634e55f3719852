import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { Ledger } from '../../../src/core/cost/ledger';
import type { LedgerRecord } from '../../../src/core/cost/record';
import { makeRecord, tempDir, withTimeout } from './helpers';

/** Forks the append loop, SIGKILLs it once it has acknowledged `killAfter` appends, and returns the last acknowledgement received. */
async function crashWhileAppending(dir: string, killAfter: number): Promise<number> {
  const child = fork(path.join(__dirname, 'fixtures', 'appendLoop.js'), [dir], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let acknowledged = 0;
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.on('message', (message: { acknowledged: number }) => {
    acknowledged = Math.max(acknowledged, message.acknowledged);
    if (acknowledged >= killAfter && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  try {
    const signal = await withTimeout(exited, 15_000, `the append loop to reach ${killAfter} appends and be killed (stderr: ${stderr})`);
    assert.equal(signal, 'SIGKILL', `the child must die by SIGKILL, not on its own (stderr: ${stderr})`);
  } finally {
    child.kill('SIGKILL');
  }
  return acknowledged;
}

describe('Ledger crash safety', function () {
  this.timeout(60_000);

  for (const killAfter of [1, 150, 700]) {
    it(`loses at most the record in flight when killed after ${killAfter} appends`, async () => {
      const { dir, remove } = tempDir();
      try {
        const acknowledged = await crashWhileAppending(dir, killAfter);
        const [fileName] = readdirSync(dir);
        const text = readFileSync(path.join(dir, fileName), 'utf8');
        const lines = text.split('\n');
        const last = lines.pop() as string; // '' unless the kill tore the last line
        const records = lines.map((line) => JSON.parse(line) as LedgerRecord);
        assert.ok(records.length >= acknowledged, `read ${records.length} records, the child acknowledged ${acknowledged}`);
        assert.deepEqual(
          records.map((record) => record.latencyMs),
          Array.from({ length: records.length }, (_, i) => i + 1),
          'every complete line is a whole record, in order, with no gap or duplicate',
        );

        // A kill can at most leave the last line without its newline: whole (still counted) or torn (reported once).
        let lastIsWhole = false;
        try {
          lastIsWhole = last !== '' && (JSON.parse(last) as LedgerRecord).latencyMs === records.length + 1;
        } catch {
          // torn
        }
        const warnings: string[] = [];
        const ledger = new Ledger(dir, { onWarning: (message) => warnings.push(message) });
        assert.equal((await ledger.recent(1_000_000)).length, records.length + (lastIsWhole ? 1 : 0));
        assert.equal(warnings.length, last === '' || lastIsWhole ? 0 : 1, 'only a torn last line is reported');

        const after = makeRecord({ time: new Date().toISOString(), latencyMs: 0 });
        await ledger.append(after);
        assert.deepEqual((await ledger.recent(1))[0], after, 'appending after the crash works');
        assert.ok(readFileSync(path.join(dir, fileName), 'utf8').endsWith(`${JSON.stringify(after)}\n`));
      } finally {
        remove();
      }
    });
  }
});
