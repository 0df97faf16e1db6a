import { z } from 'zod';
import { SessionStatusSchema } from './sharedModel';
import { SessionActionSchema } from './sessionActions';
import { GoalActionSchema } from './goalActions';
import { parseCapped, parseUntrusted } from './untrustedMessage';
import { TimelineStringsSchema } from './webviewStrings';
import {
  ArtifactLinkSchema,
  EventRowSchema,
  InteractionDetailSchema,
  InteractionRowSchema,
  ReadOnlyAccessSchema,
  SessionHeaderSchema,
} from './timelineModel';

/*
 * The one message contract between the timeline panel (extension host) and its webview.
 * Every message is declared here once and validated with zod on receipt, on both sides.
 *
 *  webview → extension: `ready` (first, before the extension posts anything), `request`
 *                       (carries an id, always answered by a `response`), `rendered`, `log`.
 *  extension → webview: `init` then `snapshot` (the answer to `ready`), live updates,
 *                       `focusInteraction`, `response`.
 */

/** The webview panel type, also the key of its serializer. */
export const TIMELINE_VIEW_TYPE = 'sessionLedger.timeline';

const Id = z.string().min(1).max(200);
const RequestId = z.number().int().nonnegative();

/** Requests the webview may make: each method's params and the result it gets back. */
export const timelineRequests = {
  /** Full command, output tail and error of one interaction (rows carry none of these). */
  loadDetail: {
    params: z.object({ interactionId: Id }).strict(),
    result: InteractionDetailSchema,
  },
  /** The interaction's events with `seq > after`, oldest first. */
  loadEvents: {
    params: z.object({ interactionId: Id, after: z.number().int().nonnegative() }).strict(),
    result: z.object({ events: z.array(EventRowSchema), hasMore: z.boolean() }),
  },
  /** The session's own events (recorded outside any interaction, e.g. Claude Code hooks) with `seq > after`. */
  loadSessionEvents: {
    params: z.object({ after: z.number().int().nonnegative() }).strict(),
    result: z.object({ events: z.array(EventRowSchema), hasMore: z.boolean() }),
  },
  /** Opens an artifact in an editor. */
  openArtifact: {
    params: z.object({ artifactId: Id }).strict(),
    result: z.object({ opened: z.boolean() }),
  },
  /** Copies an interaction's full command or output (ANSI stripped) to the clipboard. */
  copy: {
    params: z.object({ interactionId: Id, what: z.enum(['command', 'output']) }).strict(),
    result: z.object({ copiedChars: z.number().int().nonnegative() }),
  },
  /**
   * Runs a session command (Next Step, Pause, Resume, Cancel) on the panel's own session; the
   * params name no session, so the webview cannot reach another. Answered with the session's
   * status once the command has finished (Next Step: once it has started; a step can run long).
   */
  runSessionAction: {
    params: z.object({ action: SessionActionSchema }).strict(),
    result: z.object({ status: SessionStatusSchema }),
  },
  /** Check Progress, Approve or Request Changes on the panel's own session; answered once the command has finished. */
  runGoalAction: {
    params: z.object({ action: GoalActionSchema }).strict(),
    result: z.object({ status: SessionStatusSchema }),
  },
} as const;

export type TimelineRequests = typeof timelineRequests;
export type TimelineMethod = keyof TimelineRequests;
export type RequestParams<M extends TimelineMethod> = z.infer<TimelineRequests[M]['params']>;
export type RequestResult<M extends TimelineMethod> = z.infer<TimelineRequests[M]['result']>;

const requestVariants = (Object.keys(timelineRequests) as TimelineMethod[]).map((method) =>
  z
    .object({
      type: z.literal('request'),
      id: RequestId,
      method: z.literal(method),
      params: timelineRequests[method].params,
    })
    .strict(),
);

export const RequestMessageSchema = z.discriminatedUnion(
  'method',
  requestVariants as unknown as [(typeof requestVariants)[number], ...(typeof requestVariants)[number][]],
);
/** A request, correlated: `method` decides the type of `params`. */
export type RequestMessage = {
  [M in TimelineMethod]: { type: 'request'; id: number; method: M; params: RequestParams<M> };
}[TimelineMethod];

export const WebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  RequestMessageSchema,
  /** Reported after each render that changed the rows shown (tests and the bench wait for it). */
  z
    .object({
      type: z.literal('rendered'),
      /** Interactions of the session (loaded or still coming). */
      totalRows: z.number().int().nonnegative(),
      /** Interactions received so far. */
      loadedRows: z.number().int().nonnegative(),
      visibleRows: z.number().int().nonnegative(),
      renderedRows: z.number().int().nonnegative(),
      /** Milliseconds from receiving the message to the end of the render it caused. */
      renderMs: z.number().nonnegative(),
      /** The session header as shown: its status and the action buttons it offers (null before the snapshot). */
      header: z
        .object({
          status: SessionStatusSchema,
          actions: z.array(SessionActionSchema),
          /** The read-only badge's text, when the header shows one. */
          readOnly: z.string().max(1_000).optional(),
          /** With the badge: the session and goal buttons shown disabled because the ledger is read-only here. */
          lockedActions: z.array(z.union([SessionActionSchema, GoalActionSchema])).optional(),
          /** What the goal, outcome and notes sections show, `<what>: <text>` per element (tests check it). */
          shown: z.array(z.string().max(2_000)).max(1_000).optional(),
        })
        .strict()
        .nullable(),
      /** The seq of the step row that has (or last had) keyboard focus, e.g. the one a search hit opened at. */
      focusedSeq: z.number().int().positive().nullable(),
      /** Session event rows in the DOM; null while that section is collapsed. */
      sessionEvents: z.number().int().nonnegative().nullable(),
    })
    .strict(),
  /** Something went wrong in the webview; the extension logs it. */
  z.object({ type: z.literal('log'), level: z.enum(['warn', 'error']), message: z.string().max(10_000) }).strict(),
]);
export type WebviewMessage = Exclude<z.infer<typeof WebviewMessageSchema>, { type: 'request' }> | RequestMessage;
export type RenderedReport = Extract<WebviewMessage, { type: 'rendered' }>;

export const HostMessageSchema = z.discriminatedUnion('type', [
  /** First answer to `ready`: the page's strings, translated by the extension (the page shows nothing else). */
  z.object({ type: z.literal('init'), strings: TimelineStringsSchema }).strict(),
  /**
   * Everything needed for the first render; sent in answer to `ready` (again after a reload).
   * `interactions` is the first page (ascending by seq); `interactionsLoaded` brings the rest.
   */
  z
    .object({
      type: z.literal('snapshot'),
      session: SessionHeaderSchema,
      interactions: z.array(InteractionRowSchema),
      /** How many interactions the session had when the snapshot was taken. */
      totalInteractions: z.number().int().nonnegative(),
      artifacts: z.array(ArtifactLinkSchema),
      focusInteractionSeq: z.number().int().positive().nullable(),
      /** Present when the ledger is open read-only in this window. */
      readOnly: ReadOnlyAccessSchema.optional(),
    })
    .strict(),
  /** The next page of the snapshot's interactions, ascending by seq; `done` on the last one. */
  z.object({ type: z.literal('interactionsLoaded'), interactions: z.array(InteractionRowSchema), done: z.boolean() }).strict(),
  z.object({ type: z.literal('sessionUpdated'), session: SessionHeaderSchema }).strict(),
  /** A new interaction (append) or a changed one (replace by id). */
  z.object({ type: z.literal('interactionUpdated'), interaction: InteractionRowSchema }).strict(),
  z.object({ type: z.literal('eventAppended'), event: EventRowSchema }).strict(),
  z.object({ type: z.literal('artifactsUpdated'), artifacts: z.array(ArtifactLinkSchema) }).strict(),
  z.object({ type: z.literal('focusInteraction'), seq: z.number().int().positive() }).strict(),
  /** The ledger became writable here (`readOnly` null) or read-only (another process took it). */
  z.object({ type: z.literal('accessChanged'), readOnly: ReadOnlyAccessSchema.nullable() }).strict(),
  /** The answer to the request with the same id; `result` is checked against the method's result schema. */
  z.discriminatedUnion('ok', [
    z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(true), result: z.unknown() }).strict(),
    z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(false), error: z.string() }).strict(),
  ]),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

/**
 * Parses a message from the webview; throws a `ValidationError` naming the bad field. An oversized
 * message is refused before zod reads it, and the error text is short whatever the message held.
 */
export function parseWebviewMessage(value: unknown): WebviewMessage {
  return parseUntrusted(WebviewMessageSchema, value, 'timeline webview message') as WebviewMessage;
}

/** Parses a message from the extension; throws a `ValidationError` naming the bad field. */
export function parseHostMessage(value: unknown): HostMessage {
  return parseCapped(HostMessageSchema, value, 'timeline extension message');
}

/** Parses the result of a request against its method's result schema. */
export function parseRequestResult<M extends TimelineMethod>(method: M, value: unknown): RequestResult<M> {
  return parseCapped(timelineRequests[method].result, value, `${method} result`) as RequestResult<M>;
}

/** What the webview keeps with `setState`: which session it shows, scroll position and filters. */
export const TimelineViewStateSchema = z.object({
  sessionId: Id,
  scrollTop: z.number().nonnegative().default(0),
  kinds: z.array(z.string().max(200)).max(100).default([]),
  statuses: z.array(z.string().max(200)).max(100).default([]),
});
export type TimelineViewState = z.infer<typeof TimelineViewStateSchema>;
