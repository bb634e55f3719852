// Runs the mock OpenAI server as its own process:
//   node out/test/server/cli.js [--port N] [--host 127.0.0.1] [--demo]
// Prints `MOCK_OPENAI_URL=<url>` on stdout once listening (the only stdout line, for scripts to read);
// --demo answers with scripted, realistically paced replies. Stops on SIGINT/SIGTERM.
import { demoReply } from './demoScript';
import { MockOpenAIServer, type MockServerOptions } from './mockOpenAI';

const USAGE = 'usage: node out/test/server/cli.js [--port N] [--host 127.0.0.1] [--demo]';

function parseArgs(args: string[]): MockServerOptions {
  const options: MockServerOptions = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--demo') {
      options.defaultReply = demoReply;
    } else if (arg === '--port' && /^\d+$/.test(args[i + 1] ?? '')) {
      options.port = Number(args[++i]);
    } else if (arg === '--host' && args[i + 1] !== undefined) {
      options.host = args[++i];
    } else {
      throw new Error(`unexpected argument: ${arg}\n${USAGE}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  const server = await MockOpenAIServer.start(parseArgs(process.argv.slice(2)));
  process.stdout.write(`MOCK_OPENAI_URL=${server.url}\n`);
  const shutdown = () => {
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`mock OpenAI server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
