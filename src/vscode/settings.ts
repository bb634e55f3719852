// Penny's settings, read in one place with their types and defaults.
import * as vscode from 'vscode';
import type { BudgetSettings } from '../core/cost/budget';
import type { ModelPrice } from '../core/cost/pricing';
import { compileExcludes, DEFAULT_EXCLUDES } from '../core/exclusions';
import { SETTINGS, type SettingKey, type SettingSpec } from '../core/settingsSchema';

export interface PennySettings {
  baseUrl: string;
  chatModel: string;
  completionModel: string;
  escalationModel: string;
  inlineCompletionsEnabled: boolean;
  debounceMs: number;
  prices: Record<string, ModelPrice>;
  budget: BudgetSettings;
  /** Ask before an escalation whose maximum cost is above this many USD. */
  escalationConfirmAboveUsd: number;
  /** Offer the escalation model after repeated regenerations or "that's wrong". */
  suggestEscalation: boolean;
  /** The team's OTLP/HTTP collector ('' = the export is off) and the member name sent with the export. */
  teamExport: { endpoint: string; member: string };
}

export function readSettings(): PennySettings {
  const config = vscode.workspace.getConfiguration('penny');
  return {
    baseUrl: read(config, 'baseUrl'),
    chatModel: read(config, 'chatModel'),
    completionModel: read(config, 'completionModel'),
    escalationModel: read(config, 'escalationModel'),
    inlineCompletionsEnabled: read(config, 'inlineCompletions.enabled'),
    debounceMs: read(config, 'inlineCompletions.debounceMs'),
    prices: read(config, 'prices'),
    budget: {
      daily: read(config, 'budget.daily'),
      monthly: read(config, 'budget.monthly'),
      enforce: read(config, 'budget.enforce'),
    },
    escalationConfirmAboveUsd: read(config, 'escalation.confirmAbove'),
    suggestEscalation: read(config, 'escalation.suggest'),
    teamExport: {
      endpoint: read<string>(config, 'teamExport.otlpEndpoint').trim(),
      member: read<string>(config, 'teamExport.member').trim(),
    },
  };
}

/**
 * A setting's value, or its default from SETTINGS. A `userOnly` setting (where the key and data go,
 * what Penny may spend) comes from the User settings only. These are `"scope": "application"` in
 * package.json: VS Code reads them from the (local) User settings in desktop and remote windows
 * alike, and ignores them in workspace and folder settings. (`"machine"` would ignore the User
 * settings in a remote window: code-server, SSH, WSL, containers, Codespaces.) Reading the global
 * value makes the rule explicit, so a cloned repository can never choose where the key is sent.
 */
function read<T>(config: vscode.WorkspaceConfiguration, key: SettingKey): T {
  const spec: SettingSpec = SETTINGS[key];
  if (!spec.userOnly) return config.get<T>(key, spec.default as T);
  const inspected = config.inspect<T>(key);
  return (inspected?.globalValue ?? inspected?.defaultValue ?? spec.default) as T;
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

/** `penny.toggleInlineCompletions`: the switch is a User setting, like the one in the Settings editor. */
export function setInlineCompletionsEnabled(enabled: boolean): Thenable<void> {
  return vscode.workspace.getConfiguration('penny').update('inlineCompletions.enabled', enabled, vscode.ConfigurationTarget.Global);
}

/** VS Code's own switch for ghost text (`editor.inlineSuggest.enabled`), as it applies to `document`. */
export function editorShowsInlineSuggestions(document: vscode.TextDocument): boolean {
  return vscode.workspace.getConfiguration('editor', document).get<boolean>('inlineSuggest.enabled', true);
}

/** VS Code's `workbench.welcomePage.walkthroughs.openOnInstall`: whether a new extension's walkthrough may open by itself. */
export function walkthroughsOpenOnInstall(): boolean {
  return vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall', true);
}

export function onSettingsChanged(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('penny')) listener();
  });
}
