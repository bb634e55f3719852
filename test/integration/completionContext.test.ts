// Cross-file context in the real extension host: a completion's prompt carries the definition of a
// symbol the file imports from another workspace file, found through VS Code's providers (the
// built-in TypeScript language server), and the request carries a prompt_cache_key.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MockOpenAIServer, RecordedRequest } from '../server/mockOpenAI';
import { penny, setSetting, startServerForPenny, waitFor } from './support';

const SHAPES = [
  'export interface Vertex {',
  '  x: number;',
  '  y: number;',
  '}',
  '',
  'export function perimeterOfPolygon(points: Vertex[], closed: boolean): number {',
  '  let total = 0;',
  '  for (let i = 1; i < points.length; i++) total += Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);',
  '  return closed && points.length > 1 ? total + Math.hypot(points[0].x - points[points.length - 1].x, points[0].y - points[points.length - 1].y) : total;',
  '}',
  '',
].join('\n');
const MAIN = ["import { perimeterOfPolygon, type Vertex } from './shapes';", '', 'const square: Vertex[] = [];', 'const length = '].join('\n');
const SIGNATURE = 'export function perimeterOfPolygon(points: Vertex[], closed: boolean): number {';

function userMessage(request: RecordedRequest): string {
  return (request.body.messages as { role: string; content: string }[]).find((m) => m.role === 'user')?.content ?? '';
}

describe('completion context from other workspace files', () => {
  let server: MockOpenAIServer;
  let folder: vscode.Uri;

  before(async () => {
    await penny();
    server = await startServerForPenny();
    await setSetting('inlineCompletions.debounceMs', 50);
    const root = vscode.workspace.workspaceFolders?.[0];
    assert.ok(root, 'the integration tests run with a workspace folder');
    folder = vscode.Uri.joinPath(root.uri, 'context-test');
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, 'shapes.ts'), new TextEncoder().encode(SHAPES));
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, 'main.ts'), new TextEncoder().encode(MAIN));
  });
  after(async () => {
    await setSetting('inlineCompletions.debounceMs', undefined);
    await vscode.workspace.fs.delete(folder, { recursive: true });
    await server.stop();
  });

  it("the prompt carries the signature of an imported function from another file, found through VS Code's definition provider", async function () {
    this.timeout(150_000); // the TypeScript server starts cold in a fresh window on a loaded 2-core machine
    server.setDefault({ content: '<COMPLETION></COMPLETION>', model: 'gpt-4o-mini-2024-07-18', usage: { prompt_tokens: 900, completion_tokens: 2 } });
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'main.ts'));
    const editor = await vscode.window.showTextDocument(document);
    // The language server must be up before any context can be found: ask it as Penny will.
    const importAt = document.positionAt(MAIN.indexOf('perimeterOfPolygon') + 2);
    await waitFor(
      "the TypeScript server to answer definitions for main.ts's import",
      async () => {
        const found = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
          'vscode.executeDefinitionProvider',
          document.uri,
          importAt,
        );
        return (found ?? []).some((l) => ('targetUri' in l ? l.targetUri : l.uri).path.endsWith('/context-test/shapes.ts'));
      },
      90_000,
    );

    // Context is gathered in the background and never holds a request up: the first request may go
    // out before it is ready. Type on (each space is a new spot) until a request carries it.
    const found = await waitFor(
      'a completion request whose prompt carries perimeterOfPolygon’s signature',
      async () => {
        const end = document.lineAt(document.lineCount - 1).range.end;
        await editor.edit((edit) => edit.insert(end, ' '));
        editor.selection = new vscode.Selection(document.lineAt(document.lineCount - 1).range.end, document.lineAt(document.lineCount - 1).range.end);
        const before = server.requests.length;
        await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
        await waitFor('the completion request', () => server.requests.length > before, 20_000).catch(() => undefined);
        return server.requests.find((r) => userMessage(r).includes(SIGNATURE));
      },
      40_000,
    );

    const user = userMessage(found);
    assert.match(user, /--- context-test\/shapes\.ts:6 ---\n/, 'labelled with the file and line it comes from');
    assert.ok(user.indexOf(SIGNATURE) < user.indexOf('<CURSOR>'), 'context comes before the code up to the cursor');
    assert.match(user, /const length = *<CURSOR>/);
    assert.match(found.body.prompt_cache_key, /^penny-[0-9a-f]{8}(-\d+)?$/, 'a cache key per file, naming no path');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
