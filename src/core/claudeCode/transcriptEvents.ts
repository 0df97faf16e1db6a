/**
 * Turns one transcript line into ledger events: a prompt (`claude.prompt`), a notice or compaction
 * (`claude.notice`, `claude.compaction`), or one event per content block (`claude.text`,
 * `claude.thinking`, `claude.tool_use`, `claude.tool_result`), each with an id derived from the
 * line, so re-reading a line writes nothing. Long payload text is capped.
 */
import type { LedgerEvent } from '../model/event';
import type { JsonValue } from '../model/json';
import type { StoreTransaction } from '../store/repositoryApi';
import { sha256Hex } from './claudeSessions';
import { learnAgentLinks, type AgentLinks } from './subagentLaunch';
import type { AppliedLine, ApplyContext, ApplyTotals } from './transcriptApplyContext';
import { blocksText, noticeKind, type TranscriptBlock, type TranscriptRecord } from './transcriptRecord';

/** Longest string kept in one event payload field (tool results can be whole files). */
const PAYLOAD_TEXT_MAX = 100_000;

function capText(text: string): string {
  return text.length > PAYLOAD_TEXT_MAX
    ? `${text.slice(0, PAYLOAD_TEXT_MAX)}… [${text.length - PAYLOAD_TEXT_MAX} more characters not kept]`
    : text;
}

export function capJson(value: unknown): JsonValue {
  if (typeof value === 'string') return capText(value);
  const text = JSON.stringify(value ?? null);
  return text.length > PAYLOAD_TEXT_MAX ? { truncated: true, text: capText(text) } : ((value as JsonValue) ?? null);
}

/** What a line's ids are derived from: its uuid, else a hash of its text. */
export function lineKey(record: TranscriptRecord, raw: string): string {
  return record.uuid ?? sha256Hex(raw).slice(0, 40);
}

function blockEvent(
  block: TranscriptBlock,
): { idPart: string; type: string; toolName?: string; payload: Record<string, JsonValue> } | undefined {
  switch (block.type) {
    case 'text':
      return block.text === '' ? undefined : { idPart: '', type: 'claude.text', payload: { text: capText(block.text) } };
    case 'thinking':
      return { idPart: '', type: 'claude.thinking', payload: { text: capText(block.text) } };
    case 'tool_use':
      return {
        idPart: `tool_use:${block.toolUseId}`,
        type: 'claude.tool_use',
        toolName: block.name,
        payload: { toolUseId: block.toolUseId, input: capJson(block.input) },
      };
    case 'tool_result':
      return {
        idPart: `tool_result:${block.toolUseId}`,
        type: 'claude.tool_result',
        payload: { toolUseId: block.toolUseId, content: capJson(block.content), isError: block.isError },
      };
    default:
      return undefined;
  }
}

/**
 * The tool names of the calls read, by tool_use id, so a tool_result names its call's tool without
 * reading the call's event back (a query and a parse of the call's payload per result: 15k of a
 * 200 MB import's statements). Kept for one file at a time, as a result answers a call of its own
 * transcript; one it has not seen is looked up in the store.
 */
export class ToolNames {
  private file: string | undefined;
  private readonly names = new Map<string, string>();

  /** Starts remembering another file's calls (the previous file's are dropped). */
  readFrom(file: string): void {
    if (file === this.file) return;
    this.names.clear();
    this.file = file;
  }

  learn(toolUseId: string, toolName: string): void {
    this.names.set(toolUseId, toolName);
  }

  of(tx: StoreTransaction, toolUseId: string): string | null {
    return this.names.get(toolUseId) ?? tx.events.get(`cc:tool_use:${toolUseId}`)?.toolName ?? null;
  }

  forget(): void {
    this.names.clear();
    this.file = undefined;
  }
}

/** Appends the event unless it is stored already; returns it when it was added. */
export function appendEvent(
  tx: StoreTransaction,
  totals: ApplyTotals,
  input: Parameters<StoreTransaction['events']['append']>[0],
): LedgerEvent | undefined {
  const event = tx.events.appendIfAbsent(input);
  if (event) totals.eventsAdded++;
  return event;
}

/**
 * Appends a line's events (`prompt`: the turn's command when the line starts a turn) and learns
 * sub-agent links from its blocks. Returns the events added (those stored before are left as they are).
 */
export function appendLineEvents(
  tx: StoreTransaction,
  totals: ApplyTotals,
  links: AgentLinks,
  toolNames: ToolNames,
  sessionId: string,
  interactionId: string | null,
  line: AppliedLine,
  context: ApplyContext,
  prompt: string | null,
): LedgerEvent[] {
  const { record, raw } = line;
  const key = lineKey(record, raw);
  const common = {
    uuid: record.uuid,
    parentUuid: record.parentUuid,
    isSidechain: record.isSidechain || context.launchedBy !== undefined,
    role: record.role,
    ...(record.agentId ? { agentId: record.agentId } : {}),
  };
  const ts = record.timestamp ?? undefined;
  const added: LedgerEvent[] = [];
  const append = (input: Parameters<StoreTransaction['events']['append']>[0]): void => {
    const event = appendEvent(tx, totals, input);
    if (event) added.push(event);
  };
  if (prompt !== null) {
    const text = capText(blocksText(record.blocks));
    const payload = { ...common, text, ...(prompt !== blocksText(record.blocks) ? { command: prompt } : {}) };
    append({ id: `cc:${key}:prompt`, sessionId, interactionId, type: 'claude.prompt', payload, ts });
    return added;
  }
  const notice = noticeKind(record);
  if (notice !== null) {
    const text = capText(blocksText(record.blocks));
    if (notice === 'compaction') {
      const metadata = record.compactMetadata ?? {};
      const payload = {
        ...common,
        text,
        ...(record.subtype ? { boundary: true } : { summary: true }),
        ...pick(metadata, ['trigger', 'preTokens', 'postTokens']),
      };
      append({
        id: `cc:${key}:compaction`,
        sessionId,
        interactionId,
        type: 'claude.compaction',
        payload: payload as Record<string, JsonValue>,
        ts,
      });
    } else if (record.type === 'user' || notice === 'local_command') {
      append({
        id: `cc:${key}:notice`,
        sessionId,
        interactionId,
        type: 'claude.notice',
        payload: { ...common, kind: notice, text },
        ts,
      });
    }
    return added; // other system lines (turn durations, away summaries) are bookkeeping
  }
  record.blocks.forEach((block, index) => {
    const event = blockEvent(block);
    if (!event) return;
    if (block.type === 'tool_use') toolNames.learn(block.toolUseId, block.name);
    const toolName = event.toolName ?? (block.type === 'tool_result' ? toolNames.of(tx, block.toolUseId) : null);
    learnAgentLinks(links, record, block, toolName);
    append({
      id: event.idPart ? `cc:${event.idPart}` : `cc:${key}:${index}`,
      sessionId,
      interactionId,
      type: event.type,
      toolName,
      payload: { ...common, ...(record.model ? { model: record.model } : {}), ...event.payload },
      ts,
    });
  });
  return added;
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}
