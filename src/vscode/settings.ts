// Penny's settings, read in one place with their types and defaults.
import * as vscode from 'vscode';
import type { BudgetSettings } from '../core/cost/budget';
import type { ModelPrice } from '../core/cost/pricing';
import { compileExcludes, DEFAULT_EXCLUDES } from '../core/exclusions';

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface PennySettings {
  baseUrl: string;
  chatModel: string;
  completionModel: string;
  escalationModel: string;
  inlineCompletionsEnabled: boolean;
  debounceMs: number;
  prices: Record<string, ModelPrice>;
  budget: BudgetSettings;
}

export function readSettings(): PennySettings {
  const config = vscode.workspace.getConfiguration('penny');
  return {
    baseUrl: machineValue(config, 'baseUrl', DEFAULT_BASE_URL),
    chatModel: config.get<string>('chatModel', 'gpt-4o-mini'),
    completionModel: config.get<string>('completionModel', 'gpt-4o-mini'),
    escalationModel: config.get<string>('escalationModel', 'gpt-4o'),
    inlineCompletionsEnabled: config.get<boolean>('inlineCompletions.enabled', true),
    debounceMs: config.get<number>('inlineCompletions.debounceMs', 275),
    prices: machineValue(config, 'prices', {}),
    budget: {
      daily: machineValue<number | null>(config, 'budget.daily', null),
      monthly: machineValue<number | null>(config, 'budget.monthly', null),
      enforce: machineValue(config, 'budget.enforce', false),
    },
  };
}

/**
 * Reads a machine-scoped setting from user (global) settings only. VS Code already ignores
 * machine-scoped keys in workspace settings; reading the global value makes that explicit, so a
 * cloned repository can never choose where the key is sent.
 */
function machineValue<T>(config: vscode.WorkspaceConfiguration, key: string, fallback: T): T {
  const inspected = config.inspect<T>(key);
  return (inspected?.globalValue ?? inspected?.defaultValue ?? fallback) as T;
}

let excludeCache: { patterns: string; matcher: (path: string) => boolean } | undefined;

/** The files Penny never sends: the defaults plus `penny.excludeFiles`, compiled once per change. */
export function excludedFiles(): (relativePath: string) => boolean {
  const user = vscode.workspace.getConfiguration('penny').inspect<string[]>('excludeFiles');
  // A workspace may add exclusions but never remove the defaults.
  const patterns = [...DEFAULT_EXCLUDES, ...(user?.globalValue ?? []), ...(user?.workspaceValue ?? []), ...(user?.workspaceFolderValue ?? [])];
  const key = patterns.join('\u0000');
  if (excludeCache?.patterns !== key) excludeCache = { patterns: key, matcher: compileExcludes(patterns) };
  return excludeCache.matcher;
}

export function onSettingsChanged(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('penny')) listener();
  });
}
