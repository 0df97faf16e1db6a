import { PINNED_TAG } from '../ledger/retention';
import type { Session } from '../model/session';
import { WorkflowDefinitionSchema, type SessionDefaults, type WorkflowFileDefinition } from '../model/workflow';
import { actualMinutes } from '../../protocol/sessionDurations';
import { validateWorkflow, formatFieldPath } from './validateWorkflow';

/** A workflow id from a title: `Release checklist` → `release-checklist` (always a valid identifier). */
export function workflowIdFrom(title: string): string {
  const id = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-\d]+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return id || 'template';
}

/** The session's goal fields, tags and expected (or else actual) duration, as a workflow file's `defaults`; empty ones left out. */
export function defaultsFromSession(session: Session): SessionDefaults {
  const defaults: SessionDefaults = {};
  if (session.intention.trim()) defaults.intention = session.intention;
  if (session.successCriteria.length) defaults.successCriteria = [...session.successCriteria];
  if (session.completionCriteria.length) defaults.completionCriteria = [...session.completionCriteria];
  if (session.constraints.length) defaults.constraints = [...session.constraints];
  if (session.procedureNotes.trim()) defaults.procedureNotes = session.procedureNotes;
  const tags = session.tags.filter((tag) => tag !== PINNED_TAG);
  if (tags.length) defaults.tags = tags;
  const actual = actualMinutes(session);
  const minutes = session.expectedMinutes ?? (actual !== undefined && actual >= 1 ? Math.round(actual) : undefined);
  if (minutes !== undefined) defaults.expectedMinutes = minutes;
  return defaults;
}

export interface TemplateOptions {
  /** Ids already taken (built-in types, workflows, templates): the template gets the first free `<id>`, `<id>-2`, …. */
  readonly takenIds: ReadonlySet<string>;
  /** Built-in type ids: a session of one becomes a template that `extends` it. */
  readonly builtinIds: ReadonlySet<string>;
  /** Its name in New Session; default `<title> (template)`. */
  readonly label?: string;
  readonly now?: number;
}

/**
 * Save as Template: a workflow file from an existing session. A session of a built-in type gives a
 * template that `extends` it; a workflow session gives a copy of its workflow (the definition it
 * ran, kept in its state) under a new id. Either way `defaults` carries the session's goal fields.
 * The result passes `validateWorkflow` (checked here, so a bad one never reaches the folder).
 */
export function templateFromSession(session: Session, options: TemplateOptions): WorkflowFileDefinition {
  const label = options.label?.trim() || `${session.title} (template)`;
  const base = workflowIdFrom(label.replace(/\(template\)$/, '').trim() || session.title);
  let id = `${base}`;
  for (let n = 2; options.takenIds.has(id); n++) id = `${base}-${n}`;
  const description = `Saved from the session "${session.title}" on ${new Date(options.now ?? Date.now()).toISOString().slice(0, 10)}.`;
  const defaults = defaultsFromSession(session);
  let file: WorkflowFileDefinition;
  if (options.builtinIds.has(session.type)) {
    file = { id, label, description, extends: session.type, defaults };
  } else {
    const snapshot = WorkflowDefinitionSchema.safeParse(session.state.workflow);
    if (!snapshot.success) {
      throw new Error(
        `Session "${session.title}" is of type "${session.type}", whose workflow it no longer keeps; it cannot be saved as a template.`,
      );
    }
    const { $schema: _schema, defaults: _old, ...workflow } = snapshot.data;
    file = { ...workflow, id, label, description, defaults };
  }
  const checked = validateWorkflow(file);
  if (!checked.ok) {
    throw new Error(`The template would not load: ${checked.issues.map((i) => `${formatFieldPath(i.path)}: ${i.message}`).join('; ')}`);
  }
  return file;
}

/** The first of `<id>.json`, `<id>-2.json`, … that `exists` says is free. */
export function freeTemplateFileName(id: string, exists: (name: string) => boolean): string {
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${id}.json` : `${id}-${n}.json`;
    if (!exists(name)) return name;
  }
}
