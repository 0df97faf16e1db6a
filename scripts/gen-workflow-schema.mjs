// Regenerates media/schemas/workflow.schema.json from the zod schema in src/core/model/workflow.ts.
// Usage: node scripts/gen-workflow-schema.mjs   (test/unit/workflow/workflowJsonSchema.test.ts fails when it is stale)
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { buildWorkflowJsonSchema, WORKFLOW_JSON_SCHEMA_PATH } = await tsImport(
  '../src/core/workflow/workflowJsonSchema.ts',
  import.meta.url,
);
const target = join(root, WORKFLOW_JSON_SCHEMA_PATH);
await mkdir(dirname(target), { recursive: true });
await writeFile(target, buildWorkflowJsonSchema());
console.log(`wrote ${WORKFLOW_JSON_SCHEMA_PATH}`);
