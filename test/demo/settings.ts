// The demo's VS Code User settings. The harness quiets VS Code for tests; the demo is for people:
// its first screen is the sample workspace's README, which says what to try, and the editor behaves
// as it does out of the box (the demo starts code-server with `editorDefaults`).
export const DEMO_SETTINGS: Readonly<Record<string, unknown>> = {
  // Opens the folder's README.md (as a preview) when the window opens on it.
  'workbench.startupEditor': 'readme',
};

/**
 * The demo's remote (Machine) settings. The sample README is the demo's guide; Penny's "Get started"
 * walkthrough (whose first step sets a key the demo already has) would open over it.
 * `workbench.welcomePage.walkthroughs.openOnInstall` is machine-scoped, and code-server is a remote
 * window: VS Code reads it from the Machine settings there, not from the User settings.
 */
export const DEMO_MACHINE_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
};
