import assert from 'node:assert/strict';
import { buildCompletionPrompt } from '../../../src/core/completion/prompt';
import { REDACTED, redactSecretsInText } from '../../../src/core/secrets';

describe('secret-looking strings are never sent', () => {
  const secrets: [string, string][] = [
    ['an OpenAI project key', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'],
    ['an Anthropic key', 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv_wxyz-0123456789'],
    ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['a GitHub token', 'ghp_0123456789abcdefghijABCDEFGHIJ012345'],
    ['a Slack token', 'xoxb-123456789012-abcdefghijkl'],
    ['a Google API key', 'AIzaSyA-0123456789abcdefghijklmnopqrstu'],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ];
  for (const [name, secret] of secrets) {
    it(`redacts ${name}`, () => {
      const { text, count } = redactSecretsInText(`const key = "${secret}";`);
      assert.equal(text, `const key = "${REDACTED}";`);
      assert.equal(count, 1);
    });
  }

  it('redacts a private key block whole', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----';
    assert.equal(redactSecretsInText(`before\n${pem}\nafter`).text, `before\n${REDACTED}\nafter`);
  });

  it('leaves ordinary code alone', () => {
    const code = 'const skip = items.filter((x) => x.sk - 1);\nconst token = getToken();';
    assert.deepEqual(redactSecretsInText(code), { text: code, count: 0 });
  });

  it('completion prompts carry no secret from the file or other open files', () => {
    const key = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    const prompt = buildCompletionPrompt({
      prefix: `const client = new OpenAI({ apiKey: "${key}" });\nclient.`,
      suffix: `\n// ${key}`,
      languageId: 'typescript',
      relativePath: 'src/a.ts',
      snippets: [{ path: 'src/b.ts', text: `export const KEY = "${key}"; client.chat` }],
    });
    const sent = prompt.messages.map((m) => m.content).join('\n');
    assert.ok(!sent.includes(key));
    assert.ok(sent.includes(REDACTED));
  });
});
