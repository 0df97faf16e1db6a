/**
 * Redaction of secrets in text and JSON values, before data leaves the machine (exports) or is
 * kept where it does not belong (stored error messages). Pure and plain Node.
 *
 * A secret is replaced by `[REDACTED:<kind>]`, where kind says what it was (`anthropic-api-key`,
 * `aws-secret-access-key`, `secret` for a value under a secret-looking name, `custom` for a user
 * pattern). Redacting redacted text changes nothing (the markers match no pattern).
 *
 * What is recognised:
 *  - API keys and tokens by their shape: Anthropic `sk-ant-…`, OpenAI `sk-…`, GitHub
 *    `ghp_/gho_/ghu_/ghs_/ghr_…` and `github_pat_…`, Slack `xox?-…`, AWS access key ids `AKIA…`/`ASIA…`;
 *  - headers: `Authorization: Bearer …` (any scheme), `x-api-key: …`;
 *  - PEM private keys (`-----BEGIN … PRIVATE KEY-----` to its end, or to the end of the text when cut off);
 *  - values under a secret-looking name: `NAME=value` (environment-like text), `"name": "value"`
 *    (JSON-like text) and, in JSON values, a string under such a key. A name looks secret when it
 *    contains TOKEN, SECRET, PASSWORD, PASSWD or CREDENTIAL, or a KEY word (`API_KEY`, `apiKey`,
 *    `private_key`, `AWS_SECRET_ACCESS_KEY`; not a bare `key`, nor `keyword`), and is not a count
 *    (`max_tokens`, `inputTokens`). Numbers, booleans and `$VARIABLE` references are not secrets;
 *  - `aws_secret_access_key`-style 40-character secrets next to such a name (also after `:`);
 *  - the caller's own patterns (`extraPatterns`).
 */

export const REDACTED_PREFIX = '[REDACTED:';

/** The marker a secret of `kind` is replaced with. */
export function redactedMarker(kind: string): string {
  return `${REDACTED_PREFIX}${kind}]`;
}

export interface RedactionOptions {
  /**
   * More patterns (regular expression sources, or RegExp objects): every match is replaced by
   * `[REDACTED:custom]`; with a capture group named `secret`, only that group is replaced.
   */
  readonly extraPatterns?: readonly (string | RegExp)[];
}

/** Thrown for a user pattern that is not a valid regular expression (or matches the empty string). */
export class RedactionPatternError extends Error {
  constructor(
    readonly pattern: string,
    detail: string,
  ) {
    super(`Redaction pattern ${JSON.stringify(pattern)} is not usable: ${detail}. Fix or remove it.`);
    this.name = 'RedactionPatternError';
  }
}

interface Rule {
  readonly kind: string;
  readonly pattern: RegExp;
  /** Replaces one match (default: the whole match becomes the marker). */
  readonly replace?: (match: string, ...groups: string[]) => string;
}

const NOT_REDACTED = '(?!\\[REDACTED:)';
/** A value after `=` / `:`: quoted, or up to whitespace, a quote or a separator. */
const VALUE = `(?:"[^"\\n]*"|'[^'\\n]*'|${NOT_REDACTED}[^\\s"'&;,)}\\]]+)`;

/** A name that looks like it holds a secret (see the module comment). */
export function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.length === 0) return false;
  const last = words[words.length - 1];
  if (last === 'tokens' || last === 'count' || (last === 'id' && !words.includes('secret'))) {
    // Counts (`max_tokens`, `inputTokens`, `token_count`) and identifiers (`AWS_ACCESS_KEY_ID`: an id, caught by its shape).
    return false;
  }
  return words.some(
    (word, index) =>
      /^(?:token|secret|secrets|password|passwd|passphrase|credential|credentials|apikey|privatekey|secretkey|accesskey|authkey)$/.test(
        word,
      ) ||
      /(?:token|secret|password|passwd|credential)/.test(word) ||
      (word === 'key' && words.length > 1 && index > 0),
  );
}

function valueIsSecret(value: string): boolean {
  const bare = value.replace(/^["']|["']$/g, '');
  if (bare.length === 0 || bare.startsWith(REDACTED_PREFIX)) return false;
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(bare)) return false; // a reference to a variable, not its value
  if (/^(?:-?\d+(?:\.\d+)?|true|false|null|none|undefined)$/i.test(bare)) return false;
  return true;
}

/** Replaces the value (keeping its quotes) when it is a secret. */
function keepQuotes(value: string, kind: string): string {
  if (!valueIsSecret(value)) return value;
  const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
  return `${quote}${redactedMarker(kind)}${quote}`;
}

const BUILT_IN_RULES: readonly Rule[] = [
  {
    kind: 'private-key',
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)/g,
  },
  { kind: 'anthropic-api-key', pattern: /\bsk-ant-[A-Za-z0-9_-]{8,}/g },
  { kind: 'openai-api-key', pattern: /\bsk-(?!ant-)[A-Za-z0-9_-]{20,}/g },
  { kind: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{8,}/g },
  { kind: 'aws-access-key-id', pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g },
  {
    kind: 'aws-secret-access-key',
    pattern: /\b((?:aws_?)?secret_?access_?key["']?\s*[=:]\s*["']?)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    replace: (_match, name: string) => `${name}${redactedMarker('aws-secret-access-key')}`,
  },
  {
    kind: 'authorization',
    pattern: new RegExp(
      `\\b((?:proxy-)?authorization["']?\\s*[:=]\\s*["']?(?:(?:bearer|basic|token|digest)\\s+)?)${NOT_REDACTED}(?!(?:bearer|basic|token|digest)\\s)([^\\s"',;]+)`,
      'gi',
    ),
    replace: (_match, head: string) => `${head}${redactedMarker('authorization')}`,
  },
  {
    kind: 'authorization',
    pattern: new RegExp(`\\b(bearer\\s+)${NOT_REDACTED}([A-Za-z0-9._~+/=-]{16,})`, 'gi'),
    replace: (_match, head: string) => `${head}${redactedMarker('authorization')}`,
  },
  {
    kind: 'api-key-header',
    pattern: new RegExp(`\\b((?:x-api-key|api-key|x-goog-api-key|x-auth-token)["']?\\s*:\\s*["']?)${NOT_REDACTED}([^\\s"',;]+)`, 'gi'),
    replace: (_match, head: string) => `${head}${redactedMarker('api-key-header')}`,
  },
  {
    // "name": "value" in JSON-like text.
    kind: 'secret',
    pattern: new RegExp(`("([A-Za-z0-9_.-]{1,100})"\\s*:\\s*)("(?:[^"\\\\\\n]|\\\\.)*")`, 'g'),
    replace: (match, head: string, name: string, value: string) => (isSecretName(name) ? `${head}${keepQuotes(value, 'secret')}` : match),
  },
  {
    // NAME=value in environment-like text (also `--password=…`, `export TOKEN="…"`).
    kind: 'secret',
    pattern: new RegExp(`(\\b([A-Za-z_][A-Za-z0-9_.-]{0,100})\\s*=\\s*)(${VALUE})`, 'g'),
    replace: (match, head: string, name: string, value: string) => (isSecretName(name) ? `${head}${keepQuotes(value, 'secret')}` : match),
  },
];

function compileExtra(pattern: string | RegExp): Rule {
  let regex: RegExp;
  const source = typeof pattern === 'string' ? pattern : pattern.source;
  try {
    const flags = typeof pattern === 'string' ? 'g' : pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
    regex = new RegExp(source, flags);
  } catch (error) {
    throw new RedactionPatternError(source, (error as Error).message);
  }
  if (regex.test('')) throw new RedactionPatternError(source, 'it matches empty text');
  regex.lastIndex = 0;
  return {
    kind: 'custom',
    pattern: regex,
    replace: (match: string, ...rest: unknown[]) => {
      const groups = rest[rest.length - 1];
      const secret = groups && typeof groups === 'object' ? (groups as Record<string, string | undefined>).secret : undefined;
      return secret ? match.replace(secret, redactedMarker('custom')) : redactedMarker('custom');
    },
  };
}

/** Redacts text and JSON values with the built-in rules and the caller's patterns. */
export class Redactor {
  private readonly rules: readonly Rule[];

  /** @throws RedactionPatternError for an unusable user pattern (naming it). */
  constructor(options: RedactionOptions = {}) {
    this.rules = [...BUILT_IN_RULES, ...(options.extraPatterns ?? []).map(compileExtra)];
  }

  /** The text with every secret replaced by `[REDACTED:<kind>]`. */
  redactText(text: string): string {
    let out = text;
    for (const rule of this.rules) {
      rule.pattern.lastIndex = 0;
      if (!rule.pattern.test(out)) continue;
      rule.pattern.lastIndex = 0;
      const replace = rule.replace;
      out = replace
        ? out.replace(rule.pattern, (match, ...groups) => replace(match, ...(groups as string[])))
        : out.replace(rule.pattern, redactedMarker(rule.kind));
    }
    return out;
  }

  /** `redactText` for a nullable value. */
  redactNullable(text: string | null): string | null {
    return text === null ? null : this.redactText(text);
  }

  /**
   * A copy of a JSON value with its keys and strings redacted; a string under a secret-looking
   * key is replaced whole. `mapString` runs on every string (and key) first (e.g. path rewriting).
   */
  redactJson<T>(value: T, mapString: (text: string) => string = (text) => text): T {
    const walk = (item: unknown, secretName: boolean): unknown => {
      if (typeof item === 'string') {
        if (secretName && valueIsSecret(item)) return redactedMarker('secret');
        return this.redactText(mapString(item));
      }
      if (Array.isArray(item)) return item.map((element) => walk(element, secretName));
      if (item !== null && typeof item === 'object') {
        const out: Record<string, unknown> = {};
        for (const [key, child] of Object.entries(item)) out[this.redactText(mapString(key))] = walk(child, isSecretName(key));
        return out;
      }
      return item;
    };
    return walk(value, false) as T;
  }
}

const defaultRedactor = new Redactor();

/** Redacts text with the built-in rules only. */
export function redactSecrets(text: string): string {
  return defaultRedactor.redactText(text);
}

/** `redactSecrets` for a nullable value (stored error messages). */
export function redactSecretsNullable(text: string | null): string | null {
  return text === null ? null : defaultRedactor.redactText(text);
}
