// Crash safety of the chat stack: a child process loops chat requests through the real ChatSession,
// ConversationStore, MeteredClient and Ledger (fixtures/chatLoop.ts) and is SIGKILLed at different
// moments, again and again in the same directory, restarting each time like the extension would.
// After each kill: every ledger file reads (a torn line is skipped with a warning), every conversation
// file parses (saves are atomic renames), and nothing the child reported complete is missing: at most
// the request in flight at each kill is lost (or kept without its acknowledgement).
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConversationStore, type StoredConversation } from '../../src/core/chat/conversationStore';
import { Ledger } from '../../src/core/cost/ledger';
import type { LedgerRecord } from '../../src/core/cost/record';
import type { ChildMessage, Phase } from './fixtures/chatLoop';

/**
 * When to kill: at a precise point of the N-th request of the child (it stops there and says so), some
 * time after the child is ready (anywhere in its first requests), or some time after answer N is
 * acknowledged (anywhere in a request in steady state).
 */
type KillPlan = { phase: Phase; atRequest: number } | { afterReadyMs: number } | { onAck: number; thenMs?: number };

/**
 * What a kill at each point leaves beyond what was acknowledged: one more record, a torn line, a saved
 * answer, a stray temporary file. `[0, 1]`: either. The question's own save runs alongside its answer,
 * so until the answer's save a kill may still find it between its write and its rename (a stray file).
 */
type Count = number | [number, number];
const LEFT_BEHIND: Record<Phase, { records: Count; torn: Count; answers: Count; temporary: Count }> = {
  'mid-stream': { records: 0, torn: 0, answers: 0, temporary: [0, 1] },
  'before-append': { records: 0, torn: 0, answers: 0, temporary: [0, 1] },
  'torn-append': { records: 0, torn: 1, answers: 0, temporary: [0, 1] },
  'after-append': { records: 1, torn: 0, answers: 0, temporary: [0, 1] },
  'torn-save': { records: 1, torn: 0, answers: 0, temporary: 1 },
  'before-rename': { records: 1, torn: 0, answers: 0, temporary: 1 },
  'before-ack': { records: 1, torn: 0, answers: 1, temporary: 0 },
};

const PLANS: KillPlan[] = [
  { afterReadyMs: 0 },
  { phase: 'mid-stream', atRequest: 1 },
  { phase: 'torn-append', atRequest: 1 },
  { phase: 'before-append', atRequest: 2 },
  { phase: 'torn-append', atRequest: 3 },
  { phase: 'after-append', atRequest: 2 },
  { phase: 'torn-save', atRequest: 3 },
  { phase: 'before-rename', atRequest: 2 },
  { phase: 'before-ack', atRequest: 4 },
  { phase: 'mid-stream', atRequest: 5 },
  { afterReadyMs: 30 },
  { onAck: 2, thenMs: 1 },
  { onAck: 3, thenMs: 4 },
  { onAck: 3, thenMs: 9 },
  { onAck: 5, thenMs: 15 },
  { afterReadyMs: 400 },
  { onAck: 15 },
];

interface Acked {
  question: number;
  conversationId: string;
  text: string;
}

interface RoundResult {
  plan: string;
  acks: number;
  signal: NodeJS.Signals | null;
  warnings: string[];
  /** Where the child stopped to be killed (phase plans). */
  stoppedAt?: Phase;
}

function runRound(dir: string, firstQuestion: number, plan: KillPlan, acked: Map<string, Acked>): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const args = [dir, String(firstQuestion), ...('phase' in plan ? [plan.phase, String(plan.atRequest)] : [])];
    const child = fork(path.join(__dirname, 'fixtures', 'chatLoop.js'), args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const result: RoundResult = { plan: JSON.stringify(plan), acks: 0, signal: null, warnings: [] };
    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        if ('afterReadyMs' in plan) killTimer = setTimeout(kill, plan.afterReadyMs);
      } else if (message.type === 'at') {
        result.stoppedAt = message.phase;
        kill();
      } else if (message.type === 'done') {
        result.acks++;
        acked.set(message.answerId, { question: message.question, conversationId: message.conversationId, text: message.text });
        if (message.status !== 'done' || !message.exact) {
          result.warnings.push(`answer to Q${message.question} finished ${message.status}, exact ${message.exact}`);
        }
        if ('onAck' in plan && result.acks === plan.onAck) {
          if (plan.thenMs) killTimer = setTimeout(kill, plan.thenMs);
          else kill();
        }
      } else {
        result.warnings.push(message.text);
      }
    });
    const hang = setTimeout(() => {
      kill();
      reject(new Error(`hang: round ${result.plan} did not end within 60 s (acks ${result.acks}; stderr: ${stderr})`));
    }, 60_000);
    // 'close', not 'exit': every IPC message the child wrote before dying has been read by then.
    child.on('close', (_code, signal) => {
      clearTimeout(hang);
      clearTimeout(killTimer);
      result.signal = signal;
      if (signal !== 'SIGKILL') reject(new Error(`the chat loop ended by itself (signal ${signal}): ${stderr}`));
      else resolve(result);
    });
  });
}

interface DiskState {
  validRecords: number;
  tornLines: number;
  ledgerWarnings: string[];
  conversations: number;
  orphanTemporaryFiles: number;
  /** Questions saved without their answer: kills that landed mid-answer. */
  danglingQuestions: number;
  doneAnswers: Map<string, { conversationId: string; text: string }>;
}

/** A directory's entries; none before the child first wrote there. */
function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Reads everything back the way a restarted Penny would, and raw. */
async function inspect(dir: string): Promise<DiskState> {
  const ledgerDir = path.join(dir, 'ledger');
  const ledgerFiles = listDir(ledgerDir);
  assert.ok(
    ledgerFiles.every((name) => /^ledger-\d{4}-\d{2}\.jsonl$/.test(name)),
    `only month files in the ledger: ${ledgerFiles.join(', ')}`,
  );
  let validLines = 0;
  let tornLines = 0;
  for (const name of ledgerFiles) {
    for (const line of readFileSync(path.join(ledgerDir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        const record = JSON.parse(line) as LedgerRecord;
        assert.equal(record.outcome, 'ok', `a recorded request that was not ok: ${line}`);
        assert.equal(record.exact, true);
        validLines++;
      } catch (error) {
        if (error instanceof assert.AssertionError) throw error;
        tornLines++;
      }
    }
  }
  const ledgerWarnings: string[] = [];
  const ledger = new Ledger(ledgerDir, { onWarning: (m) => ledgerWarnings.push(m) });
  const records = await ledger.recent(10_000_000);
  assert.equal(records.length, validLines, 'the ledger reads every whole line');
  const report = await ledger.report();
  assert.equal(
    report.byDay.reduce((n, d) => n + d.totals.requests, 0),
    validLines,
    'the report counts every whole line',
  );

  const conversationDir = path.join(dir, 'conversations');
  const names = listDir(conversationDir);
  const doneAnswers = new Map<string, { conversationId: string; text: string }>();
  let conversations = 0;
  let danglingQuestions = 0;
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const text = readFileSync(path.join(conversationDir, name), 'utf8');
    let conversation: StoredConversation;
    try {
      conversation = JSON.parse(text) as StoredConversation;
    } catch {
      assert.fail(`${name} does not parse: a save was not atomic (${text.length} bytes: …${text.slice(-80)})`);
    }
    assert.ok(typeof conversation.id === 'string' && Array.isArray(conversation.messages), `${name} is a conversation`);
    conversations++;
    conversation.messages.forEach((message, i) => {
      if (message.role === 'user' && conversation.messages[i + 1]?.role !== 'assistant') danglingQuestions++;
    });
    for (const message of conversation.messages) {
      assert.notEqual(message.status, 'streaming', `${name}: a streaming answer was saved`);
      if (message.role === 'assistant' && message.status === 'done') doneAnswers.set(message.id, { conversationId: conversation.id, text: message.text });
    }
  }
  const storeWarnings: string[] = [];
  const listed = await new ConversationStore(conversationDir, { onWarning: (m) => storeWarnings.push(m) }).list();
  assert.equal(listed.length, conversations, 'the history lists every conversation');
  assert.deepEqual(storeWarnings, [], 'no conversation is skipped as unreadable');
  return {
    validRecords: validLines,
    tornLines,
    ledgerWarnings,
    conversations,
    orphanTemporaryFiles: names.filter((n) => n.endsWith('.tmp')).length,
    danglingQuestions,
    doneAnswers,
  };
}

describe('crash safety: SIGKILL while chatting as fast as possible', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'penny-crash-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`${PLANS.length} kills at different moments: ledger and conversations readable, nothing acknowledged lost`, async () => {
    const acked = new Map<string, Acked>();
    const rows: string[] = [];
    let previous = { records: 0, torn: 0, answers: 0, temporary: 0, dangling: 0 };
    for (let round = 0; round < PLANS.length; round++) {
      const kills = round + 1;
      const result = await runRound(dir, round * 100_000, PLANS[round], acked);
      const disk = await inspect(dir);
      const label = `after kill ${kills} (${result.plan})`;

      assert.deepEqual(result.warnings, [], `${label}: the child saw no warning and every answer finished`);
      if ('onAck' in PLANS[round]) assert.ok(result.acks >= (PLANS[round] as { onAck: number }).onAck, `${label}: requests work after the previous crashes`);

      // The ledger: every acknowledged request is there; beyond them at most the one in flight per kill.
      assert.ok(disk.validRecords >= acked.size, `${label}: ${disk.validRecords} records for ${acked.size} acknowledged requests`);
      assert.ok(disk.validRecords <= acked.size + kills, `${label}: ${disk.validRecords} records, more than ${acked.size} acknowledged + ${kills} in flight`);
      assert.ok(disk.tornLines <= kills, `${label}: ${disk.tornLines} torn lines after ${kills} kills`);
      assert.equal(disk.ledgerWarnings.length, Math.min(disk.tornLines, 6), `${label}: each torn line is reported (${disk.ledgerWarnings.join(' | ')})`);
      assert.ok(
        disk.ledgerWarnings.every((w) => /skipped (an incomplete|a corrupt|\d+ more corrupt) line/.test(w)),
        disk.ledgerWarnings.join(' | '),
      );

      // The conversations: every acknowledged answer is saved, done, with its text.
      for (const [answerId, ack] of acked) {
        const saved = disk.doneAnswers.get(answerId);
        assert.ok(saved, `${label}: the answer to Q${ack.question} was acknowledged but is not saved`);
        assert.equal(saved.conversationId, ack.conversationId);
        assert.equal(saved.text, ack.text);
      }
      const unacknowledged = [...disk.doneAnswers.keys()].filter((id) => !acked.has(id));
      assert.ok(unacknowledged.length <= kills, `${label}: ${unacknowledged.length} saved answers were never acknowledged`);
      assert.ok(disk.validRecords >= disk.doneAnswers.size, `${label}: every saved answer has its ledger record`);
      assert.ok(disk.danglingQuestions <= kills, `${label}: ${disk.danglingQuestions} questions without an answer after ${kills} kills`);

      // What this kill left beyond the acknowledged requests, against what the previous kills had left.
      const now = {
        records: disk.validRecords - acked.size,
        torn: disk.tornLines,
        answers: unacknowledged.length,
        temporary: disk.orphanTemporaryFiles,
        dangling: disk.danglingQuestions,
      };
      const left = {
        records: now.records - previous.records,
        torn: now.torn - previous.torn,
        answers: now.answers - previous.answers,
        temporary: now.temporary - previous.temporary,
      };
      const plan = PLANS[round];
      if ('phase' in plan) {
        assert.equal(result.stoppedAt, plan.phase, `${label}: the child reached the point to be killed at`);
        assert.equal(result.acks, plan.atRequest - 1, `${label}: the requests before it were all answered`);
        const expected = LEFT_BEHIND[plan.phase];
        for (const key of ['records', 'torn', 'answers', 'temporary'] as const) {
          const [min, max] = typeof expected[key] === 'number' ? [expected[key], expected[key]] : expected[key];
          assert.ok(left[key] >= min && left[key] <= max, `${label}: the kill left ${JSON.stringify(left)}, expected ${JSON.stringify(expected)}`);
        }
      } else {
        assert.ok(
          left.records <= 1 && left.torn <= 1 && left.answers <= 1 && left.temporary <= 1,
          `${label}: one request in flight at most: ${JSON.stringify(left)}`,
        );
      }
      const landed =
        'phase' in plan
          ? plan.phase
          : [
              left.records ? 'record written' : '',
              left.answers ? 'answer saved' : '',
              now.dangling > previous.dangling ? 'mid-answer' : '',
              left.torn ? 'torn line' : '',
              left.temporary ? 'mid-save' : '',
            ]
              .filter(Boolean)
              .join(', ') || 'between requests';
      previous = now;
      rows.push(
        `      kill ${String(kills).padStart(2)} ${result.plan.padEnd(38)} acks ${String(result.acks).padStart(3)} | ${landed.padEnd(28)} | records ${disk.validRecords} (acked ${acked.size}), torn lines ${disk.tornLines}, warnings ${disk.ledgerWarnings.length} | conversations ${disk.conversations}, answers ${disk.doneAnswers.size}, unanswered ${disk.danglingQuestions}, stray .tmp ${disk.orphanTemporaryFiles}`,
      );
    }
    console.log(rows.join('\n'));
  });
});
