// Escalating a selection to gpt-4o in the real extension host: the estimate comes first, the
// confirmation guards the threshold, the answer lands in the chat, and a rewrite applies only on accept.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MockOpenAIServer } from '../server/mockOpenAI';
import { penny, setSetting, startServerForPenny, waitFor } from './support';

const BUGGY = 'function average(xs) {\n  let sum = 0;\n  for (let i = 0; i <= xs.length; i++) sum += xs[i];\n  return sum / xs.length;\n}\n';
const FIXED = 'function average(xs) {\n  let sum = 0;\n  for (let i = 0; i < xs.length; i++) sum += xs[i];\n  return sum / xs.length;\n}';

describe('escalate a selection to gpt-4o', () => {
  let server: MockOpenAIServer;
  let editor: vscode.TextEditor;

  before(async () => {
    await penny();
    server = await startServerForPenny();
  });
  beforeEach(async () => {
    server.reset();
    const document = await vscode.workspace.openTextDocument({ language: 'javascript', content: `// stats\n${BUGGY}` });
    editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(1, 0, 6, 0);
  });
  afterEach(async () => {
    await setSetting('escalation.confirmAbove', undefined);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
  after(() => server.stop());

  it('sends the selection and the instruction to gpt-4o after showing the estimate; the answer lands in the chat with its cost', async () => {
    await setSetting('escalation.confirmAbove', 1);
    server.enqueue({
      content: `The loop reads past the end.\n\n\`\`\`js\n${FIXED}\n\`\`\``,
      model: 'gpt-4o-2024-08-06',
      usage: { prompt_tokens: 150, completion_tokens: 80 },
    });
    const api = await penny();
    const before = api.escalationEvents().length;
    await vscode.commands.executeCommand('penny.escalateSelection', { task: 'findBugs' });

    const events = api.escalationEvents().slice(before);
    assert.deepEqual(
      events.map((e) => e.stage),
      ['estimated', 'sent'],
    );
    const estimate = events[0].estimate!;
    assert.equal(estimate.model, 'gpt-4o');
    assert.ok(estimate.promptTokens > 50, `prompt tokens ${estimate.promptTokens}`);
    assert.ok(estimate.maxUsd! > estimate.typicalUsd! && estimate.typicalUsd! > estimate.inputUsd!);
    assert.ok(estimate.cheapTypicalUsd! < estimate.typicalUsd!);

    const body = server.requests[0].body;
    assert.equal(body.model, 'gpt-4o');
    const user = body.messages.at(-1).content as string;
    assert.ok(user.includes('i <= xs.length'), 'the selection is sent');
    assert.match(user, /Find the bugs/);

    const answer = api.chatSnapshot().messages.at(-1)!;
    assert.equal(answer.escalated, true);
    assert.equal(answer.model, 'gpt-4o-2024-08-06');
    assert.equal(answer.cost?.exact, true);
    assert.ok(Math.abs(answer.cost!.usd! - (150 * 2.5 + 80 * 10) / 1e6) < 1e-12);
    const [record] = await api.recentCosts(1);
    assert.equal(record.feature, 'escalation');
  });

  it('above the threshold it asks first, and declining sends nothing', async () => {
    await setSetting('escalation.confirmAbove', 0);
    const api = await penny();
    const before = api.escalationEvents().length;
    const running = vscode.commands.executeCommand('penny.escalateSelection', { task: 'explain' });
    await waitFor('the confirmation to be asked', () =>
      api
        .escalationEvents()
        .slice(before)
        .some((e) => e.stage === 'confirming'),
    );
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await running;
    assert.deepEqual(
      api
        .escalationEvents()
        .slice(before)
        .map((e) => e.stage),
      ['estimated', 'confirming', 'declined'],
    );
    assert.equal(server.requests.length, 0);
  });

  it('above the threshold, confirming sends it', async () => {
    await setSetting('escalation.confirmAbove', 0);
    server.enqueue({ content: 'It averages.', model: 'gpt-4o-2024-08-06', usage: { prompt_tokens: 120, completion_tokens: 5 } });
    const api = await penny();
    const before = api.escalationEvents().length;
    const running = vscode.commands.executeCommand('penny.escalateSelection', { task: 'explain' });
    await waitFor('the confirmation to be asked', () =>
      api
        .escalationEvents()
        .slice(before)
        .some((e) => e.stage === 'confirming'),
    );
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await running;
    assert.deepEqual(
      api
        .escalationEvents()
        .slice(before)
        .map((e) => e.stage),
      ['estimated', 'confirming', 'sent'],
    );
    assert.equal(server.requests.length, 1);
  });

  it('a proposed rewrite changes the document only after accept', async () => {
    await setSetting('escalation.confirmAbove', 1);
    server.enqueue({ content: `Fixed:\n\n\`\`\`js\n${FIXED}\n\`\`\``, model: 'gpt-4o-2024-08-06', usage: { prompt_tokens: 150, completion_tokens: 60 } });
    const api = await penny();
    await vscode.commands.executeCommand('penny.escalateSelection', { task: 'improve' });
    const answer = api.chatSnapshot().messages.at(-1)!;
    const document = editor.document;

    const rejected = api.codeAction('apply', FIXED, answer.id);
    await waitFor('the diff to open', () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff)));
    assert.ok(document.getText().includes('i <= xs.length'), 'unchanged while the diff is open');
    await vscode.commands.executeCommand('penny.rejectProposal');
    assert.equal(await rejected, false);
    assert.ok(document.getText().includes('i <= xs.length'), 'unchanged after reject');

    const accepted = api.codeAction('apply', FIXED, answer.id);
    await waitFor('the diff to open', () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff)));
    await vscode.commands.executeCommand('penny.acceptProposal');
    assert.equal(await accepted, true);
    assert.equal(document.getText(), `// stats\n${FIXED}\n`);
  });

  it('a selection beyond the context window is refused with the numbers, and nothing is sent', async () => {
    const huge = await vscode.workspace.openTextDocument({ language: 'plaintext', content: 'word '.repeat(130_000) });
    const hugeEditor = await vscode.window.showTextDocument(huge);
    hugeEditor.selection = new vscode.Selection(0, 0, 0, huge.lineAt(0).text.length);
    const api = await penny();
    const before = api.escalationEvents().length;
    await vscode.commands.executeCommand('penny.escalateSelection', { task: 'explain' });
    const stages = api
      .escalationEvents()
      .slice(before)
      .map((e) => e.stage);
    assert.deepEqual(stages, ['estimated', 'refused']);
    assert.ok(api.escalationEvents().at(-1)!.estimate!.promptTokens > 128_000);
    assert.equal(server.requests.length, 0);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
