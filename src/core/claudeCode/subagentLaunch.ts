/**
 * Which turn launched a sub-agent: the links learned from the parent transcript (the Task/Agent
 * tool call, the agent id its result names, the prompt it was given) and the lookup that finds a
 * sub-agent file's launching turn, or says the file must wait until that turn is imported.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StoreTransaction } from '../store/repositoryApi';
import { sha256Hex } from './claudeSessions';
import { readCompleteLines } from './lineReader';
import { subagentMetaToolUseId, type TranscriptImportState } from './transcriptFiles';
import { blocksText, classifyTranscriptLine, type TranscriptBlock, type TranscriptRecord } from './transcriptRecord';

/** What links a sub-agent to the tool call that launched it, learned from the parent transcript. */
export interface AgentLinks {
  /** `<claude session id>:<agent id>` → tool_use id (from `toolUseResult.agentId` or "agentId: …" in the result). */
  byAgent: Record<string, string>;
  /** `<claude session id>:<sha256 of the prompt>` → tool_use id of the Task/Agent call given that prompt. */
  byPrompt: Record<string, string>;
}

/** A transcript file to read, and (for a sub-agent's file) what its path says about the agent. */
export interface SubagentFile {
  file: string;
  subagent?: { agentId: string; claudeSessionId: string | null };
}

/** Tools that launch a sub-agent (`Task` before 2.1, `Agent` after). */
const AGENT_TOOLS: ReadonlySet<string> = new Set(['Task', 'Agent']);

/** The agent id a Task/Agent tool result names in its text ("agentId: a1b2… (use SendMessage …)", 2.1.x). */
function agentIdInText(content: unknown): string | null {
  const text = typeof content === 'string' ? content : JSON.stringify(content ?? '');
  return /agentId: ([A-Za-z0-9@._-]+)/.exec(text)?.[1] ?? null;
}

export function promptHash(text: string): string {
  return sha256Hex(text.trim()).slice(0, 32);
}

/**
 * Learns from one content block of the parent transcript: a Task/Agent call's prompt, or the agent
 * id its result names (`toolName`: the tool the block's call used, when known).
 */
export function learnAgentLinks(links: AgentLinks, record: TranscriptRecord, block: TranscriptBlock, toolName: string | null): void {
  if (block.type === 'tool_use' && AGENT_TOOLS.has(block.name)) {
    const prompt = (block.input as { prompt?: unknown } | null)?.prompt;
    if (typeof prompt === 'string' && prompt.trim() !== '') links.byPrompt[`${record.sessionId}:${promptHash(prompt)}`] = block.toolUseId;
  }
  if (block.type === 'tool_result' && toolName !== null && AGENT_TOOLS.has(toolName)) {
    const agentId = record.resultAgentId ?? agentIdInText(block.content);
    if (agentId) links.byAgent[`${record.sessionId}:${agentId}`] = block.toolUseId;
  }
}

/**
 * The turn that launched a sub-agent's file: through its `.meta.json` (2.1.x), the parent's tool
 * result naming the agent, or the Task call given the same prompt (2.0.x). Undefined while that
 * turn is not imported yet (the file waits); `{ interactionId: null }` when the parent transcript
 * is fully imported and names no launching call (the usage then belongs to the session).
 */
export function resolveLaunch(
  tx: StoreTransaction,
  entry: SubagentFile,
  state: TranscriptImportState,
  projectDir: string,
): { interactionId: string | null } | undefined {
  const info = entry.subagent!;
  const first = firstConversationLine(entry.file);
  const claudeSessionId = info.claudeSessionId ?? first?.sessionId ?? null;
  if (!claudeSessionId) return { interactionId: null };
  const toolUseId =
    subagentMetaToolUseId(entry.file) ??
    state.agents.byAgent[`${claudeSessionId}:${info.agentId}`] ??
    (first?.prompt ? state.agents.byPrompt[`${claudeSessionId}:${promptHash(first.prompt)}`] : undefined);
  if (toolUseId) {
    const launch = tx.events.get(`cc:tool_use:${toolUseId}`);
    if (launch) return { interactionId: launch.interactionId };
  }
  return !toolUseId && parentImported(entry, state, projectDir, claudeSessionId) ? { interactionId: null } : undefined;
}

/** Whether the transcript of the session a sub-agent's file belongs to is there and read to its end. */
export function parentImported(
  entry: SubagentFile,
  state: TranscriptImportState,
  projectDir: string,
  claudeSessionId?: string | null,
): boolean {
  const sessionId = claudeSessionId ?? entry.subagent?.claudeSessionId ?? firstConversationLine(entry.file)?.sessionId;
  if (!sessionId) return true; // no session to wait for
  const parentKey = `${sessionId}.jsonl`;
  const parent = state.files[parentKey];
  try {
    const size = fs.statSync(path.join(projectDir, parentKey)).size;
    return parent !== undefined && parent.offset >= size && parent.size === size;
  } catch {
    return false; // the parent transcript is not there (yet)
  }
}

/** The session id and prompt of a sub-agent file's first conversation line (read from its head). */
function firstConversationLine(file: string): { sessionId: string; prompt: string | null } | undefined {
  for (const chunk of readCompleteLines(file, 0, 256 * 1024)) {
    for (const raw of chunk.lines) {
      if (raw.trim() === '') continue;
      const parsed = classifyTranscriptLine(raw);
      if (parsed.kind !== 'record') continue;
      const record = parsed.record;
      return { sessionId: record.sessionId, prompt: record.type === 'user' && record.role === 'user' ? blocksText(record.blocks) : null };
    }
    return undefined;
  }
  return undefined;
}
