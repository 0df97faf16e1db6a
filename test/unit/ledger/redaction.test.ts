import { strict as assert } from 'node:assert';
import { isSecretName, RedactionPatternError, Redactor, redactSecrets } from '../../../src/core/ledger/redaction';

describe('redaction', () => {
  const cases: [name: string, input: string, expected: string][] = [
    [
      'Anthropic key in an environment assignment',
      'ANTHROPIC_API_KEY=sk-ant-api03-AbCdEf0123456789_xyz-QQ claude',
      'ANTHROPIC_API_KEY=[REDACTED:anthropic-api-key] claude',
    ],
    ['OpenAI key, quoted', 'OPENAI_API_KEY="sk-proj-abcdefghijklmnopqrstuvwx1234"', 'OPENAI_API_KEY="[REDACTED:openai-api-key]"'],
    [
      'GitHub tokens',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789 gho_abcdefghijklmnopqrstuvwxyz0123456789 github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
      '[REDACTED:github-token] [REDACTED:github-token] [REDACTED:github-token]',
    ],
    ['Slack token', 'SLACK=xoxb-1234567890-abcdefghij', 'SLACK=[REDACTED:slack-token]'],
    [
      'AWS access key id and secret next to its name',
      'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'aws_access_key_id = [REDACTED:aws-access-key-id]\naws_secret_access_key = [REDACTED:aws-secret-access-key]',
    ],
    ['temporary AWS key id', 'ASIAZ7Q3EXAMPLEKEY12', '[REDACTED:aws-access-key-id]'],
    [
      'Authorization header (any scheme)',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig\nauthorization: Basic dXNlcjpwYXNz',
      'Authorization: Bearer [REDACTED:authorization]\nauthorization: Basic [REDACTED:authorization]',
    ],
    ['x-api-key header with an unknown key shape', 'x-api-key: gw_live_0123456789abcdef', 'x-api-key: [REDACTED:api-key-header]'],
    [
      'PEM private key, whole',
      'before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----\nafter',
      'before\n[REDACTED:private-key]\nafter',
    ],
    ['PEM private key, cut off', 'key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'key: [REDACTED:private-key]'],
    [
      'secret-looking names: NAME=value and "name": "value"',
      'DB_PASSWORD=hunter2 --client-secret=abc123 {"github_token": "t0k3n", "session_token":"zz"}',
      'DB_PASSWORD=[REDACTED:secret] --client-secret=[REDACTED:secret] {"github_token": "[REDACTED:secret]", "session_token":"[REDACTED:secret]"}',
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(`redacts: ${name}`, () => assert.equal(redactSecrets(input), expected));
  }

  it('leaves ordinary text alone: counts, variable references, plain keys, ids', () => {
    const text =
      'MAX_TOKENS=4096 inputTokens=12 PATH=/usr/bin key=spec apiKey=$API_KEY TOKEN=${TOKEN} risk-assessment task-1234567890123456789012 sha256=' +
      'a'.repeat(64);
    assert.equal(redactSecrets(text), text);
  });

  it('is idempotent', () => {
    const text = cases.map(([, input]) => input).join('\n');
    const once = redactSecrets(text);
    assert.equal(redactSecrets(once), once);
  });

  it('walks JSON: keys and strings, a string under a secret-looking key replaced whole, numbers kept', () => {
    const redactor = new Redactor();
    const value = {
      tool_input: { command: 'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      env: { AWS_SECRET_ACCESS_KEY: 'short/but+secret', GITHUB_TOKEN: ['a1', 'b2'], inputTokens: 5, key: 'src/a.ts', password: true },
      'sk-ant-api03-keyAsAPropertyName0': 1,
    };
    assert.deepEqual(redactor.redactJson(value), {
      tool_input: { command: 'export AWS_SECRET_ACCESS_KEY=[REDACTED:aws-secret-access-key]' },
      env: {
        AWS_SECRET_ACCESS_KEY: '[REDACTED:secret]',
        GITHUB_TOKEN: ['[REDACTED:secret]', '[REDACTED:secret]'],
        inputTokens: 5,
        key: 'src/a.ts',
        password: true,
      },
      '[REDACTED:anthropic-api-key]': 1,
    });
    assert.equal(value.env.AWS_SECRET_ACCESS_KEY, 'short/but+secret', 'the input is not changed');
  });

  it("the export format's own field names are not secret-looking", () => {
    for (const name of [
      'key',
      'inputTokens',
      'outputTokens',
      'cacheCreationTokens',
      'cacheCreation1hTokens',
      'cacheReadTokens',
      'sha256',
      'keyword',
      'monkey',
      'max_tokens',
      'AWS_ACCESS_KEY_ID',
    ]) {
      assert.equal(isSecretName(name), false, name);
    }
    for (const name of [
      'apiKey',
      'API_KEY',
      'x-api-key',
      'aws_secret_access_key',
      'password',
      'DB_PASSWD',
      'refreshToken',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'private_key',
    ]) {
      assert.equal(isSecretName(name), true, name);
    }
  });

  it('applies user patterns (whole match, or the group named "secret") and names an unusable one', () => {
    const redactor = new Redactor({ extraPatterns: ['ACME-[0-9]{6}', /customer=(?<secret>[a-z]{5})/] });
    assert.equal(redactor.redactText('ticket ACME-123456 customer=abcde'), 'ticket [REDACTED:custom] customer=[REDACTED:custom]');
    assert.throws(
      () => new Redactor({ extraPatterns: ['(unclosed'] }),
      (err: unknown) => err instanceof RedactionPatternError && /"\(unclosed"/.test(err.message),
    );
    assert.throws(() => new Redactor({ extraPatterns: ['x*'] }), /matches empty text/);
  });

  it('stays fast on long hostile input', () => {
    const hostile =
      'a='.repeat(50_000) + 'authorization: '.repeat(5_000) + '"k":'.repeat(20_000) + '-----BEGIN PRIVATE KEY-----'.repeat(200);
    const started = Date.now();
    redactSecrets(hostile);
    assert.ok(Date.now() - started < 5_000, `${Date.now() - started} ms`);
  });
});
