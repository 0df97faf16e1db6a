import {
  parseRequestResult,
  type HostMessage,
  type RequestParams,
  type RequestResult,
  type TimelineMethod,
  type WebviewMessage,
} from '../protocol/timelineMessages';

type Response = Extract<HostMessage, { type: 'response' }>;

interface Pending {
  readonly method: TimelineMethod;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** Requests from the webview, each with an id, settled by the extension's `response` with that id. */
export class RequestClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly post: (message: WebviewMessage) => void) {}

  request<M extends TimelineMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
    const id = this.nextId++;
    return new Promise<RequestResult<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject });
      this.post({ type: 'request', id, method, params } as WebviewMessage);
    });
  }

  /** Settles the request a response answers; its result is validated against the method's schema. */
  settle(response: Response): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    if (!response.ok) {
      pending.reject(new Error(response.error));
      return;
    }
    try {
      pending.resolve(parseRequestResult(pending.method, response.result));
    } catch (error) {
      pending.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}
