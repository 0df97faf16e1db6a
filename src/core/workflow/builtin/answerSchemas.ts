import { z } from 'zod';

/** `plan.json`: what the plan phase must produce. */
export const PlanSchema = z.object({
  summary: z.string().min(1),
  steps: z
    .array(
      z.object({
        title: z.string().min(1),
        description: z.string().optional(),
        files: z.array(z.string()).optional(),
      }),
    )
    .min(1),
  testStrategy: z.string().optional(),
  risks: z.array(z.string()).optional(),
});
export type Plan = z.infer<typeof PlanSchema>;

export const PLAN_FORMAT = `{
  "summary": "one paragraph",
  "steps": [{ "title": "…", "description": "…", "files": ["src/…"] }],
  "testStrategy": "…",
  "risks": ["…"]
}`;

export const ComponentSchema = z.object({
  name: z.string().min(1),
  description: z.string().min(1),
  interfaces: z.array(z.string()).optional(),
});
export type Component = z.infer<typeof ComponentSchema>;

/** `components.json`: what the component-design phase must produce. */
export const ComponentDesignSchema = z.object({
  overview: z.string().min(1),
  components: z.array(ComponentSchema).min(1),
});
export type ComponentDesign = z.infer<typeof ComponentDesignSchema>;

export const COMPONENT_DESIGN_FORMAT = `{
  "overview": "how the components fit together",
  "components": [{ "name": "…", "description": "what it does and its boundaries", "interfaces": ["…"] }]
}`;
