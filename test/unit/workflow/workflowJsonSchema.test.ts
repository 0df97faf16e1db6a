import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkflowJsonSchema, WORKFLOW_JSON_SCHEMA_PATH } from '../../../src/core/workflow/workflowJsonSchema';

describe('workflow JSON schema', () => {
  it('is up to date with the zod schema (regenerate: node scripts/gen-workflow-schema.mjs)', () => {
    const committed = readFileSync(join(__dirname, '../../..', WORKFLOW_JSON_SCHEMA_PATH), 'utf8');
    assert.equal(committed, buildWorkflowJsonSchema());
  });

  it('describes the three step kinds and refuses unknown properties', () => {
    const schema = JSON.parse(buildWorkflowJsonSchema());
    // `steps`, or `extends` for a template: validateWorkflow requires exactly one of them.
    assert.deepEqual(schema.required, ['id', 'label']);
    assert.deepEqual(
      Object.keys(schema.properties).filter((k) => k === 'extends' || k === 'defaults'),
      ['defaults', 'extends'],
    );
    assert.equal(schema.additionalProperties, false);
    const kinds = schema.properties.steps.items.oneOf.map(
      (step: { properties: { kind: { const: string } } }) => step.properties.kind.const,
    );
    assert.deepEqual(kinds, ['shell', 'claude', 'spawn_sessions']);
  });
});
