// The editor's language providers as the completion context sees them (src/core/completion/context):
// definitions, type definitions and document symbols through VS Code's commands, so every language
// with a language server answers. Documents are named by their URI string.
import * as vscode from 'vscode';
import type { FactsDocument, LanguageFacts, SymbolLocation } from '../core/completion/context/definitions';
import type { OutlineSymbol, SymbolShape } from '../core/completion/context/declarations';

const CONTAINERS = new Set([
  vscode.SymbolKind.Class,
  vscode.SymbolKind.Interface,
  vscode.SymbolKind.Enum,
  vscode.SymbolKind.Module,
  vscode.SymbolKind.Namespace,
  vscode.SymbolKind.Package,
  vscode.SymbolKind.Struct,
  vscode.SymbolKind.Object,
]);
const CALLABLES = new Set([vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Constructor]);

export class VsCodeLanguageFacts implements LanguageFacts {
  definitions(documentKey: string, offset: number): Promise<SymbolLocation[]> {
    return this.locations('vscode.executeDefinitionProvider', documentKey, offset);
  }

  typeDefinitions(documentKey: string, offset: number): Promise<SymbolLocation[]> {
    return this.locations('vscode.executeTypeDefinitionProvider', documentKey, offset);
  }

  async outline(documentKey: string): Promise<OutlineSymbol[]> {
    const document = await this.open(documentKey);
    if (!document) return [];
    const symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>(
      'vscode.executeDocumentSymbolProvider',
      document.uri,
    );
    return (symbols ?? []).map((symbol) => toOutline(document, symbol));
  }

  async document(documentKey: string): Promise<FactsDocument | undefined> {
    const document = await this.open(documentKey);
    return document && { text: document.getText(), version: document.version };
  }

  private async locations(command: string, documentKey: string, offset: number): Promise<SymbolLocation[]> {
    const document = await this.open(documentKey);
    if (!document) return [];
    const found = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[] | undefined>(
      command,
      document.uri,
      document.positionAt(offset),
    );
    return (found ?? []).map((item) => {
      const uri = 'targetUri' in item ? item.targetUri : item.uri;
      const start = ('targetUri' in item ? (item.targetSelectionRange ?? item.targetRange) : item.range).start;
      return { documentKey: uri.toString(), path: workspacePath(uri), line: start.line, character: start.character };
    });
  }

  /** The document if it is open, else opened (read) now: only ever asked for a path the core did not exclude. */
  private async open(documentKey: string): Promise<vscode.TextDocument | undefined> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === documentKey);
    if (open) return open;
    try {
      return await vscode.workspace.openTextDocument(vscode.Uri.parse(documentKey));
    } catch {
      return undefined;
    }
  }
}

/** The path the prompt names a file by; undefined outside the workspace (libraries, the runtime's own types). */
export function workspacePath(uri: vscode.Uri): string | undefined {
  if (uri.scheme === 'untitled') return vscode.workspace.asRelativePath(uri, false);
  return vscode.workspace.getWorkspaceFolder(uri) ? vscode.workspace.asRelativePath(uri, false) : undefined;
}

function toOutline(document: vscode.TextDocument, symbol: vscode.DocumentSymbol | vscode.SymbolInformation): OutlineSymbol {
  const range = 'location' in symbol ? symbol.location.range : symbol.range;
  const nameRange = 'selectionRange' in symbol ? symbol.selectionRange : range;
  return {
    name: symbol.name,
    shape: shapeOf(symbol.kind),
    range: { start: document.offsetAt(range.start), end: document.offsetAt(range.end) },
    nameRange: { start: document.offsetAt(nameRange.start), end: document.offsetAt(nameRange.end) },
    children: 'children' in symbol ? symbol.children.map((child) => toOutline(document, child)) : [],
  };
}

function shapeOf(kind: vscode.SymbolKind): SymbolShape {
  if (CONTAINERS.has(kind)) return 'container';
  return CALLABLES.has(kind) ? 'callable' : 'value';
}
