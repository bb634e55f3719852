// ESLint for Penny: the recommended rules of ESLint and typescript-eslint, Prettier's config last (so
// nothing here argues with the formatter), and the rules that hold the layers of the README's
// diagram ("For contributors"):
//   src/core, src/shared   plain Node, unit-tested without VS Code: no `vscode`, no DOM
//   src/webview            a browser bundle in a sandbox: no Node, no `vscode`, no extension-host code
//   src/vscode             thin adapters: ./settings and ./logger, other adapters only as types
//   src/extension.ts, test/**   may import anything
// and two conventions: settings are read only in src/vscode/settings.ts, and only errors are thrown.
// Each rule's message says why. Types back the DOM rule up: src/core/tsconfig.json checks src/core and
// src/shared with no DOM lib (the root tsconfig.json cannot: its tests import the webview's modules,
// and highlight.js's types pull the DOM lib into that whole program).
// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------------------------
// The messages

const CORE_NO_VSCODE =
  'src/core is plain Node, unit-tested without VS Code: pass what you need from an adapter in src/vscode (or from src/extension.ts) as a value or an interface.';
const SHARED_NO_VSCODE = 'src/shared is compiled into the extension and into the webview, which has no `vscode`: keep it to the protocol types.';
const CORE_NOT_UP =
  'src/core and src/shared sit below the adapters and the webview: they import neither src/vscode, src/webview nor src/extension. Pass what you need in from the adapter.';
const SHARED_ONLY_SHARED = 'src/shared is compiled into the extension and into the webview: it imports nothing outside src/shared.';
const NO_DOM =
  'src/core and src/shared run in the extension host (Node) and in plain-Node unit tests, where there is no DOM: browser code belongs in src/webview.';
const WEBVIEW_NO_NODE =
  'src/webview is a browser bundle in a sandboxed iframe: Node modules do not exist there. Ask the extension through the protocol (src/shared/protocol.ts) instead.';
const WEBVIEW_NO_VSCODE =
  'src/webview runs in a sandboxed iframe where `vscode` does not exist: talk to the extension through the protocol (src/shared/protocol.ts) and acquireVsCodeApi.';
const WEBVIEW_NO_HOST =
  'src/webview is a browser bundle: it may import src/shared and the Node-free src/core/html and src/core/cost/format, nothing else of the extension host. Add to that list only a module that imports no Node and no `vscode`.';
const WEBVIEW_LEAF =
  'The webview bundles this module too (see src/webview/format.ts, highlight.ts): keep it free of Node and `vscode`, and a leaf that imports nothing of the repository.';
const ADAPTER_INTERNALS =
  'An adapter in src/vscode imports ./settings and ./logger, and other adapters only with `import type`: the composition root (src/extension.ts) builds them and passes one to another. Move the shared piece to src/core, or have extension.ts pass it in.';
const SETTINGS_IN_ONE_PLACE =
  'Settings are read in one place, src/vscode/settings.ts, with their types and defaults (src/core/settingsSchema.ts, checked against package.json): add a reader there.';
const THROW_ERRORS =
  'Penny has one error type: throw a PennyError (`userError(message)` for what the user asked that cannot be done, see src/core/errors.ts) or an Error, never a plain object.';
const ADAPTER_NOT_UP =
  'src/extension.ts (the composition root) imports the adapters, not the other way round; the webview is a browser bundle that the extension talks to through src/shared/protocol.ts.';

// ---------------------------------------------------------------------------------------------
// What each layer may not import

/** Every Node built-in by its bare name (fs, path, fs/promises, ...); `node:*` is a pattern below. */
const nodeBuiltins = (message) => builtinModules.filter((name) => !name.startsWith('_')).map((name) => ({ name, message }));
const nodeScheme = (message) => ({ regex: '^node:', message });

const vscode = (message) => ({ name: 'vscode', message });

/** The DOM's globals that have no meaning in Node. `navigator` is among Node's globals (and @types/node's), so only this rule catches it. */
const DOM_GLOBALS = [
  'window',
  'self',
  'document',
  'navigator',
  'location',
  'history',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'HTMLElement',
  'Element',
  'DOMParser',
  'XMLHttpRequest',
  'MutationObserver',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'getComputedStyle',
  'customElements',
  'acquireVsCodeApi',
].map((name) => ({ name, message: NO_DOM }));

/** The core modules the webview bundles: Node-free today, and held to it below. */
const WEBVIEW_CORE_MODULES = ['src/core/html.ts', 'src/core/cost/format.ts'];

const layers = [
  {
    name: 'penny/core',
    files: ['src/core/**/*.ts'],
    ignores: WEBVIEW_CORE_MODULES,
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [vscode(CORE_NO_VSCODE)], patterns: [{ regex: '^(\\.\\./)+(vscode|webview)(/|$)|^(\\.\\./)+extension$', message: CORE_NOT_UP }] },
      ],
      'no-restricted-globals': ['error', ...DOM_GLOBALS],
    },
  },
  {
    name: 'penny/core-bundled-by-the-webview',
    files: WEBVIEW_CORE_MODULES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [vscode(WEBVIEW_LEAF), ...nodeBuiltins(WEBVIEW_LEAF)],
          patterns: [nodeScheme(WEBVIEW_LEAF), { regex: '^\\.', message: WEBVIEW_LEAF, allowTypeImports: true }],
        },
      ],
      'no-restricted-globals': ['error', ...DOM_GLOBALS],
    },
  },
  {
    name: 'penny/shared',
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [vscode(SHARED_NO_VSCODE)],
          patterns: [{ regex: '^\\.\\./', message: SHARED_ONLY_SHARED }],
        },
      ],
      'no-restricted-globals': ['error', ...DOM_GLOBALS],
    },
  },
  {
    name: 'penny/webview',
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [vscode(WEBVIEW_NO_VSCODE), ...nodeBuiltins(WEBVIEW_NO_NODE)],
          patterns: [
            nodeScheme(WEBVIEW_NO_NODE),
            // Leaving src/webview: only to src/shared and the Node-free core modules above.
            { regex: '^(\\.\\./)+(vscode/|extension$)', message: WEBVIEW_NO_HOST },
            { regex: '^(\\.\\./)+core/(?!(html|cost/format)$)', message: WEBVIEW_NO_HOST },
          ],
        },
      ],
    },
  },
  {
    name: 'penny/vscode-adapters',
    files: ['src/vscode/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\./(?!(settings|logger)$)', message: ADAPTER_INTERNALS, allowTypeImports: true },
            { regex: '^(\\.\\./)+(webview/|extension$)', message: ADAPTER_NOT_UP },
          ],
        },
      ],
    },
  },
  // src/extension.ts (the composition root) and test/** may import anything.
  {
    name: 'penny/conventions',
    files: ['src/**/*.ts'],
    ignores: ['src/vscode/settings.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='getConfiguration']", message: SETTINGS_IN_ONE_PLACE },
        { selector: 'ThrowStatement > ObjectExpression', message: THROW_ERRORS },
      ],
    },
  },
];

export default defineConfig(
  globalIgnores(['out/', 'out-*/', 'dist/', 'test-results/', '.vscode-test/', '**/*.vsix', 'test/fixtures/', 'test/demo/workspace/'], 'penny/ignores'),
  { name: 'penny/linter-options', linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,
  { name: 'penny/node-scripts', files: ['**/*.mjs'], languageOptions: { globals: globals.node } },
  {
    name: 'penny/unused',
    rules: {
      // As tsc's noUnusedLocals: a rest sibling may drop a property (`const { cost: _cost, ...rest } = record`).
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
    },
  },
  ...layers,
  prettier,
);
