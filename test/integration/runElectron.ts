// Runs the integration suite in desktop VS Code via @vscode/test-electron, for machines that can
// download VS Code (not these: see /work/shared/notes/real-vscode.md; here use runInCodeServer).
// Same suite, same mock server setup as runInCodeServer: penny.baseUrl and PENNY_MOCK_URL point at a
// local mock OpenAI server, OPENAI_API_KEY is sk-test-penny-0000.
//   npm run test:electron   (= node esbuild.mjs --tests && node out/test/integration/runElectron.js)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests, TestRunFailedError } from '@vscode/test-electron';
import { copyToTemp, QUIET_SETTINGS, repoRoot } from '../harness/codeServer';
import { MockOpenAIServer } from '../server/mockOpenAI';
import { TEST_API_KEY } from './runInCodeServer';

export async function runIntegrationInElectron(): Promise<number> {
  const root = repoRoot();
  const mock = await MockOpenAIServer.start();
  const workspace = copyToTemp(path.join(root, 'test', 'fixtures', 'workspace'));
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'penny-electron-user-'));
  try {
    // User settings, where a user puts them (penny.baseUrl is application-scoped: read from there in every window).
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, 'penny.baseUrl': mock.url }, null, 2));
    return await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [workspace.dir, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', userDataDir],
      extensionTestsEnv: { OPENAI_API_KEY: TEST_API_KEY, PENNY_MOCK_URL: mock.url },
    });
  } finally {
    await mock.stop();
    workspace.remove();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runIntegrationInElectron().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof TestRunFailedError ? error.message : error);
      process.exit(1);
    },
  );
}
