import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback fake of the Anthropic Messages API (`POST /v1/messages`). It speaks SSE the way the
 * real API does (message_start → content_block_start → content_block_delta → content_block_stop →
 * message_delta → message_stop) and answers errors with the API's JSON error shape, so the real
 * `@anthropic-ai/sdk` can be pointed at it through `baseURL`.
 */

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  /** The split of cache writes by lifetime, as the API reports it (summing to cache_creation_input_tokens). */
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  /** e.g. 'standard'; sent as the API does when set. */
  service_tier?: string;
}

export type FakeContentBlock =
  { type: 'text'; text: string } | { type: 'tool_use'; id?: string; name: string; input: Record<string, unknown> };

/** One assistant message, streamed. */
export interface FakeMessageTurn {
  kind?: 'message';
  content: FakeContentBlock[];
  /** Defaults to `tool_use` when the content has a tool_use block, else `end_turn`. */
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';
  usage?: FakeUsage;
  /** Defaults to the model the request asked for. */
  model?: string;
  /** Text deltas are this many characters at most (default 5), so streaming is visible. */
  chunkSize?: number;
  /**
   * Send message_start and the first text delta, then hold the response open without finishing
   * until the client goes away (for cancel-mid-stream tests).
   */
  holdOpen?: boolean;
}

/** An HTTP error response with the API's error body. */
export interface FakeErrorTurn {
  kind: 'error';
  status: 400 | 401 | 403 | 404 | 429 | 500 | 529;
  /** Defaults to the API's type for the status (authentication_error, rate_limit_error…). */
  errorType?: string;
  message?: string;
  headers?: Record<string, string>;
}

/** A stream that starts fine and then sends an SSE `error` event (how the API reports overload mid-stream). */
export interface FakeStreamErrorTurn {
  kind: 'stream_error';
  errorType: string;
  message?: string;
}

export type FakeTurn = FakeMessageTurn | FakeErrorTurn | FakeStreamErrorTurn;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body: model, messages, tools, system, stream… */
  body: {
    model: string;
    messages: Array<{ role: string; content: unknown }>;
    tools?: Array<{ name: string }>;
    system?: unknown;
    stream?: boolean;
    [key: string]: unknown;
  };
  /** True once the client closed the connection before the response was complete (an abort). */
  clientDisconnected: boolean;
}

export interface FakeAnthropicOptions {
  /** Turns answered in order, one per request; or a function choosing the turn for each request. */
  script: FakeTurn[] | ((request: RecordedRequest, index: number) => FakeTurn);
  /** When set, a request with another key (x-api-key or Bearer) gets a 401 authentication_error. */
  apiKey?: string;
  /**
   * Put into message, request and tool-use ids (`msg_fake_<prefix>_1`), so that fakes started in
   * one process (one ledger) never answer with the same ids: the ledger counts a response once per id.
   */
  idPrefix?: string;
}

export interface FakeAnthropic {
  /** Base URL for the SDK's `baseURL` option, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const ERROR_TYPE_BY_STATUS: Record<FakeErrorTurn['status'], string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

let requestCounter = 0;

export async function startFakeAnthropic(options: FakeAnthropicOptions): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  const openResponses = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const n = ++requestCounter;
      const tag = options.idPrefix ? `${options.idPrefix}_${n}` : String(n);
      const requestId = `req_fake_${tag}`;
      res.setHeader('request-id', requestId);
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
        sendError(res, 404, 'not_found_error', `fake Anthropic serves POST /v1/messages, not ${req.method} ${req.url}`, requestId);
        return;
      }
      let body: RecordedRequest['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        sendError(res, 400, 'invalid_request_error', 'body is not JSON', requestId);
        return;
      }
      const recorded: RecordedRequest = {
        method: req.method,
        path: req.url,
        headers: req.headers,
        body,
        clientDisconnected: false,
      };
      res.on('close', () => {
        if (!res.writableFinished) recorded.clientDisconnected = true;
      });
      requests.push(recorded);
      const index = requests.length - 1;
      if (options.apiKey !== undefined && apiKeyOf(req.headers) !== options.apiKey) {
        sendError(res, 401, 'authentication_error', 'invalid x-api-key', requestId);
        return;
      }
      const turn = Array.isArray(options.script) ? options.script[index] : options.script(recorded, index);
      if (!turn) {
        sendError(res, 400, 'invalid_request_error', `fake Anthropic: no scripted turn for request ${index + 1}`, requestId);
        return;
      }
      if (turn.kind === 'error') {
        const type = turn.errorType ?? ERROR_TYPE_BY_STATUS[turn.status];
        sendError(res, turn.status, type, turn.message ?? `fake ${type}`, requestId, turn.headers);
        return;
      }
      openResponses.add(res);
      res.on('close', () => openResponses.delete(res));
      streamTurn(res, turn, body.model, tag);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of openResponses) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function apiKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const direct = headers['x-api-key'];
  if (typeof direct === 'string') return direct;
  const bearer = headers.authorization?.match(/^Bearer (.+)$/);
  return bearer?.[1];
}

function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId }));
}

function streamTurn(res: ServerResponse, turn: FakeMessageTurn | FakeStreamErrorTurn, requestedModel: string, tag: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (event: string, data: object): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const messageTurn: FakeMessageTurn = turn.kind === 'stream_error' ? { content: [{ type: 'text', text: 'partial' }] } : turn;
  const usage: FakeUsage & Required<Pick<FakeUsage, 'cache_creation_input_tokens' | 'cache_read_input_tokens'>> = {
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    ...(messageTurn.usage ?? { input_tokens: 10, output_tokens: 5 }),
  };
  send('message_start', {
    type: 'message_start',
    message: {
      id: `msg_fake_${tag}`,
      type: 'message',
      role: 'assistant',
      content: [],
      model: messageTurn.model ?? requestedModel,
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
  send('ping', { type: 'ping' });

  if (turn.kind === 'stream_error') {
    send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'partial' } });
    send('error', { type: 'error', error: { type: turn.errorType, message: turn.message ?? `fake ${turn.errorType}` } });
    res.end();
    return;
  }

  const chunkSize = turn.chunkSize ?? 5;
  let toolCounter = 0;
  for (const [index, block] of turn.content.entries()) {
    if (block.type === 'text') {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const piece of split(block.text, chunkSize)) {
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
        if (turn.holdOpen) return; // keep the response open: no block stop, no message_stop
      }
    } else {
      const id = block.id ?? `toolu_fake_${tag}_${++toolCounter}`;
      send('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id, name: block.name, input: {} },
      });
      for (const piece of split(JSON.stringify(block.input), 7)) {
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
      }
    }
    send('content_block_stop', { type: 'content_block_stop', index });
  }

  const hasToolUse = turn.content.some((block) => block.type === 'tool_use');
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: turn.stopReason ?? (hasToolUse ? 'tool_use' : 'end_turn'), stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

function split(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces.length > 0 ? pieces : [''];
}
