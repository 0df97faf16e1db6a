import type { ContentBlock, ContentBlockParam, TextBlockParam, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { ConversationMessage } from './claudeProvider';

const INTERRUPTED_TOOL_RESULT = 'The run was interrupted before this tool ran; it did not run.';

/**
 * The messages to send for a new prompt in a stored conversation. Whatever state the history was
 * left in (a finished answer, tool results not yet answered, or tool calls whose results were never
 * recorded because the run died), the result alternates roles correctly and ends with the prompt.
 */
export function appendPrompt(history: readonly ConversationMessage[], prompt: string): ConversationMessage[] {
  const messages = [...history];
  const promptBlock: TextBlockParam = { type: 'text', text: prompt };
  const last = messages.at(-1);
  if (last?.role === 'assistant') {
    const dangling = toolUseIds(last);
    const results: ToolResultBlockParam[] = dangling.map((id) => ({
      type: 'tool_result',
      tool_use_id: id,
      content: INTERRUPTED_TOOL_RESULT,
      is_error: true,
    }));
    messages.push({ role: 'user', content: [...results, promptBlock] });
  } else if (last?.role === 'user') {
    messages[messages.length - 1] = { role: 'user', content: [...contentBlocks(last), promptBlock] };
  } else {
    messages.push({ role: 'user', content: [promptBlock] });
  }
  return messages;
}

/** A response's content as request params: only the fields the API accepts back. */
export function toContentParams(content: readonly ContentBlock[]): ContentBlockParam[] {
  return content.map((block): ContentBlockParam => {
    switch (block.type) {
      case 'text':
        return { type: 'text', text: block.text };
      case 'tool_use':
        return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
      default:
        return block as unknown as ContentBlockParam; // thinking and others are accepted back as they are
    }
  });
}

export function textOf(content: readonly ContentBlock[]): string {
  return content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

function toolUseIds(message: ConversationMessage): string[] {
  if (typeof message.content === 'string') return [];
  return message.content.flatMap((block) => (block.type === 'tool_use' ? [block.id] : []));
}

function contentBlocks(message: ConversationMessage): ContentBlockParam[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : [...message.content];
}
