// Builds Penny: the extension host bundle (cjs, node), the webview bundle (browser), a type check,
// and with --tests the test sources transpiled one file per module into out/.
// Flags: --production (minify, no sourcemaps), --watch, --tests, --package (also runs vsce package).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');
const packageVsix = process.argv.includes('--package');

/** Prints errors in the `file:line:col: error: text` form VS Code's esbuild problem matcher reads. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log(`[watch] ${build.initialOptions.outfile ?? 'tests'} build started`));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log(`[watch] ${build.initialOptions.outfile ?? 'tests'} build finished`);
    });
  },
};

// The o200k tokenizer is ~2 MB of rank data: it ships as its own file, required on first use, so
// that loading the extension bundle (and so activation) does not pay for it.
const TOKENIZER_MODULE = 'gpt-tokenizer/cjs/encoding/o200k_base';
const tokenizerAsSeparateFile = {
  name: 'tokenizer-as-separate-file',
  setup(build) {
    build.onResolve({ filter: /^gpt-tokenizer\/cjs\/encoding\/o200k_base$/ }, () => ({ path: './tokenizer.js', external: true }));
  },
};

// OpenTelemetry (the team export) is a bundle most users never need: dist/teamExport.js, required
// by src/vscode/teamExport.ts only while `penny.teamExport.otlpEndpoint` is set.
const teamExportAsSeparateFile = {
  name: 'team-export-as-separate-file',
  setup(build) {
    build.onResolve({ filter: /\/core\/teamExport\/entry$/ }, () => ({ path: './teamExport.js', external: true }));
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: watch ? [problemMatcher] : [],
};

const targets = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['vscode'],
    plugins: [...common.plugins, tokenizerAsSeparateFile, teamExportAsSeparateFile],
  },
  {
    ...common,
    entryPoints: { teamExport: 'src/core/teamExport/entry.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node22',
  },
  {
    ...common,
    entryPoints: { tokenizer: `node_modules/${TOKENIZER_MODULE}.js` },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node22',
  },
  {
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

/** Sample workspaces for the tests and the demo: code to look at, not to build. */
const SAMPLE_CODE = [join('test', 'fixtures', 'workspace'), join('test', 'demo', 'workspace')];

function filesUnder(dir, ext) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, ext);
    return path.endsWith(ext) && !path.endsWith('.d.ts') ? [path] : [];
  });
}

if (tests) {
  targets.push({
    // The webview's DOM-free modules are unit tested in Node too.
    entryPoints: [...filesUnder('src', '.ts'), ...filesUnder('test', '.ts').filter((f) => !SAMPLE_CODE.some((dir) => f.startsWith(dir)))],
    outdir: 'out',
    outbase: '.',
    bundle: false,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: true,
    logLevel: 'warning',
  });
}

function typeCheck() {
  const tsc = join('node_modules', 'typescript', 'bin', 'tsc');
  // src/core/tsconfig.json: the core and src/shared without the DOM lib (in tsconfig.json, highlight.js's types bring it in).
  for (const project of ['tsconfig.json', join('src', 'core', 'tsconfig.json'), join('src', 'webview', 'tsconfig.json')]) {
    const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', project], { stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(`type check failed: ${project}`);
      process.exit(1);
    }
  }
}

if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  rmSync('dist', { recursive: true, force: true });
  if (tests) rmSync('out', { recursive: true, force: true });
  typeCheck();
  await Promise.all(targets.map((t) => esbuild.build(t)));
  if (packageVsix) {
    const vsce = join('node_modules', '@vscode', 'vsce', 'vsce');
    // The README's screenshots stay relative (they are not in the package; the repository shows them).
    const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links'], { stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}
