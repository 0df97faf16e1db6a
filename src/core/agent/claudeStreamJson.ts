import { z } from 'zod';

/**
 * The lines of `claude -p --output-format stream-json --verbose` that Session Ledger reads.
 * Unknown fields are kept out of the way (loose objects); unknown line types are ignored.
 */

const usageSchema = z
  .object({
    input_tokens: z.number().optional(),
    output_tokens: z.number().optional(),
    cache_creation_input_tokens: z.number().optional(),
    /** The cache writes split by TTL (newer CLI versions). */
    cache_creation: z
      .object({ ephemeral_5m_input_tokens: z.number().optional(), ephemeral_1h_input_tokens: z.number().optional() })
      .loose()
      .nullable()
      .optional(),
    cache_read_input_tokens: z.number().optional(),
  })
  .loose();

const contentBlockSchema = z
  .object({
    type: z.string(),
    text: z.string().optional(),
    id: z.string().optional(),
    name: z.string().optional(),
    input: z.unknown().optional(),
    tool_use_id: z.string().optional(),
    content: z.unknown().optional(),
    is_error: z.boolean().optional(),
  })
  .loose();

const messageSchema = z.object({ model: z.string().optional(), content: z.union([z.string(), z.array(contentBlockSchema)]) }).loose();

const initLineSchema = z
  .object({
    type: z.literal('system'),
    subtype: z.literal('init'),
    session_id: z.string(),
    model: z.string().optional(),
    tools: z.array(z.string()).optional(),
    cwd: z.string().optional(),
  })
  .loose();

const assistantLineSchema = z.object({ type: z.literal('assistant'), message: messageSchema, session_id: z.string().optional() }).loose();

const userLineSchema = z.object({ type: z.literal('user'), message: messageSchema, session_id: z.string().optional() }).loose();

const resultLineSchema = z
  .object({
    type: z.literal('result'),
    subtype: z.string(),
    is_error: z.boolean().optional(),
    result: z.string().optional(),
    session_id: z.string().optional(),
    total_cost_usd: z.number().optional(),
    usage: usageSchema.optional(),
    num_turns: z.number().optional(),
    duration_ms: z.number().optional(),
  })
  .loose();

const lineSchema = z.union([initLineSchema, assistantLineSchema, userLineSchema, resultLineSchema]);

export type CliInitLine = z.infer<typeof initLineSchema>;
export type CliAssistantLine = z.infer<typeof assistantLineSchema>;
export type CliUserLine = z.infer<typeof userLineSchema>;
export type CliResultLine = z.infer<typeof resultLineSchema>;
export type CliContentBlock = z.infer<typeof contentBlockSchema>;
export type CliLine = z.infer<typeof lineSchema>;

/** The line as a known stream-json message, or undefined for blank, non-JSON or other lines. */
export function parseStreamJsonLine(line: string): CliLine | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  const parsed = lineSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

export function contentBlocksOf(message: { content: string | CliContentBlock[] }): CliContentBlock[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

/** A tool_result's content (a string or text blocks) as plain text. */
export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((block) => (typeof block === 'object' && block !== null && 'text' in block ? String(block.text) : '')).join('');
  }
  return content === undefined ? '' : JSON.stringify(content);
}
