// An inline completion from the local server, shown and committed in a real editor.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MockOpenAIServer } from '../server/mockOpenAI';
import { penny, setSetting, startServerForPenny, waitFor } from './support';

describe('inline completions', () => {
  let server: MockOpenAIServer;

  before(async () => {
    await penny();
    server = await startServerForPenny();
    await setSetting('inlineCompletions.debounceMs', 50);
  });
  after(async () => {
    await setSetting('inlineCompletions.debounceMs', undefined);
    await server.stop();
  });

  it('asks gpt-4o-mini with the code around the cursor, and the suggestion is inserted when committed', async function () {
    this.timeout(60_000); // the first completion of a fresh window on a loaded 2-core machine
    server.setDefault({
      content: '<COMPLETION>return a + b;</COMPLETION>',
      model: 'gpt-4o-mini-2024-07-18',
      usage: { prompt_tokens: 180, completion_tokens: 9 },
    });
    const document = await vscode.workspace.openTextDocument({
      language: 'typescript',
      content: 'export function add(a: number, b: number): number {\n  \n}\n',
    });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(1, 2, 1, 2);

    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await waitFor('the completion request to reach the local server', () => server.requests.length > 0, 45_000);
    // Trigger again until the suggestion shows (a repeat is served from Penny's cache), then commit it.
    await waitFor(
      'the ghost text to be committed into the document',
      async () => {
        await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
        await new Promise((resolve) => setTimeout(resolve, 150));
        await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
        return document.getText().includes('return a + b;');
      },
      45_000,
    );
    assert.equal(server.requests.length, 1, 'repeated triggers at the same spot cost no new request');
    assert.equal(document.lineAt(1).text, '  return a + b;');

    const body = server.requests[0].body;
    assert.equal(body.model, 'gpt-4o-mini');
    assert.equal(body.temperature, 0);
    assert.equal(body.stream, true);
    assert.ok(body.max_tokens > 0 && body.max_tokens <= 256, `max_tokens ${body.max_tokens}`);
    const user = body.messages.find((m: { role: string }) => m.role === 'user').content as string;
    assert.match(user, /Language: typescript/);
    // The cache-aware layout: the code after the cursor's line first, the code up to the cursor last.
    assert.match(user, /the code after the cursor's line ---\n\}\n/);
    assert.match(user, /the code up to the cursor ---\nexport function add\(a: number, b: number\): number \{\n {2}<CURSOR>\n/);
    assert.ok(user.indexOf("the code after the cursor's line") < user.indexOf('the code up to the cursor'));

    const api = await penny();
    const record = await waitFor('the completion in the ledger', async () => (await api.recentCosts(5)).find((r) => r.feature === 'completion'));
    assert.equal(record.exact, true);
    assert.equal(record.model, 'gpt-4o-mini-2024-07-18');
    assert.ok(Math.abs(record.costUsd! - (180 * 0.15 + 9 * 0.6) / 1e6) < 1e-12);
    assert.equal(record.language, 'typescript');
    // Committing ran the item's command: the suggestion counts as offered and accepted, with its characters.
    const value = await waitFor("the accepted completion in today's value figures", async () => {
      const completions = api.costState().todayValue?.completions;
      return completions && completions.accepted >= 1 ? completions : undefined;
    });
    assert.deepEqual([value.offered, value.accepted, value.acceptedChars], [1, 1, 'return a + b;'.length]);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
