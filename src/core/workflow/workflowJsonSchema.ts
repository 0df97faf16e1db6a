import { z } from 'zod';
import { WorkflowFileSchema } from '../model/workflow';

/** Where the generated schema is committed (relative to the repository root). */
export const WORKFLOW_JSON_SCHEMA_PATH = 'media/schemas/workflow.schema.json';

/**
 * The JSON Schema the editor uses to complete and check workflow files, generated from the zod
 * schema. Draft-07 because VS Code's JSON language service supports it fully.
 */
export function buildWorkflowJsonSchema(): string {
  const schema = z.toJSONSchema(WorkflowFileSchema, { target: 'draft-7', io: 'input' });
  const titled = {
    $schema: schema.$schema,
    title: 'Session Ledger workflow',
    description:
      'A user-defined session type: steps of kind shell, claude or spawn_sessions, with transitions; or a template that extends a built-in type with default goal fields.',
    ...schema,
  };
  return `${JSON.stringify(titled, null, 2)}\n`;
}
