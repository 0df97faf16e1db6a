/**
 * The vocabulary of placeholders in user-defined workflows:
 * `{{session.<field>}}`, `{{steps.<stepId>.<field>}}`, `{{options.<name>}}` and `{{iteration}}`.
 */

export const SESSION_TEMPLATE_FIELDS = [
  'id',
  'title',
  'slug',
  'type',
  'intention',
  'successCriteria',
  'constraints',
  'workingDir',
] as const;

export const STEP_TEMPLATE_FIELDS = ['output', 'exitCode', 'status', 'error', 'iterations'] as const;

export type SessionTemplateField = (typeof SESSION_TEMPLATE_FIELDS)[number];
export type StepTemplateField = (typeof STEP_TEMPLATE_FIELDS)[number];

/** Returns why `path` is not a valid placeholder in a workflow with these step ids, or undefined. */
export function explainInvalidTemplatePath(path: string, stepIds: ReadonlySet<string>): string | undefined {
  const [namespace, name, field, ...rest] = path.split('.');
  switch (namespace) {
    case 'iteration':
      return name === undefined ? undefined : '{{iteration}} has no fields';
    case 'session':
      if (field !== undefined || !(SESSION_TEMPLATE_FIELDS as readonly string[]).includes(name ?? '')) {
        return `unknown session field in {{${path}}}; use one of ${SESSION_TEMPLATE_FIELDS.join(', ')}`;
      }
      return undefined;
    case 'options':
      return name !== undefined && field === undefined ? undefined : `use {{options.<name>}}, not {{${path}}}`;
    case 'steps':
      if (name === undefined || !stepIds.has(name)) {
        return `{{${path}}} refers to a step that does not exist`;
      }
      if (rest.length > 0 || !(STEP_TEMPLATE_FIELDS as readonly string[]).includes(field ?? '')) {
        return `unknown step field in {{${path}}}; use one of ${STEP_TEMPLATE_FIELDS.join(', ')}`;
      }
      return undefined;
    default:
      return `unknown placeholder {{${path}}}; placeholders start with session., steps., options. or are {{iteration}}`;
  }
}
