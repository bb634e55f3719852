// Penny's "Get started" walkthrough, opened the first time Penny runs, as VS Code's
// `workbench.welcomePage.walkthroughs.openOnInstall` allows, without covering what the window opened on.
import * as vscode from 'vscode';
import { walkthroughsOpenOnInstall } from './settings';

const SHOWN_KEY = 'penny.walkthroughShown';
/**
 * How long a window with a folder may take to open its startup editor (`workbench.startupEditor`,
 * e.g. the folder's README) after Penny activates; the walkthrough waits for it no longer.
 */
const STARTUP_EDITOR_WAIT_MS = 2_000;

export async function showWalkthroughOnFirstRun(context: vscode.ExtensionContext): Promise<void> {
  if (context.globalState.get<boolean>(SHOWN_KEY)) return;
  await context.globalState.update(SHOWN_KEY, true);
  if (!walkthroughsOpenOnInstall()) return;
  // If the window shows something (a README, a file), the walkthrough opens as a background tab
  // instead of covering it and taking the keyboard focus. Decided right before opening it: the
  // startup editor may open while Penny activates.
  if (vscode.workspace.workspaceFolders?.length) await startupEditorOpened(STARTUP_EDITOR_WAIT_MS);
  const inactive = vscode.window.tabGroups.activeTabGroup.activeTab !== undefined;
  await vscode.commands.executeCommand(
    'workbench.action.openWalkthrough',
    `${context.extension.id}#penny.start`,
    inactive ? { toSide: false, inactive } : false,
  );
}

/** Resolves once an editor tab is open, or after `timeoutMs` without one. */
function startupEditorOpened(timeoutMs: number): Promise<void> {
  if (vscode.window.tabGroups.activeTabGroup.activeTab) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      listener.dispose();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    const listener = vscode.window.tabGroups.onDidChangeTabs(() => {
      if (vscode.window.tabGroups.activeTabGroup.activeTab) done();
    });
  });
}
