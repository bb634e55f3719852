// The demo's VS Code User settings. The harness quiets VS Code for tests; the demo is for people:
// its first screen is the sample workspace's README, which says what to try, and the editor behaves
// as it does out of the box (the demo starts code-server with `editorDefaults`).
export const DEMO_SETTINGS: Readonly<Record<string, unknown>> = {
  // Opens the folder's README.md (as a preview) when the window opens on it.
  'workbench.startupEditor': 'readme',
};
