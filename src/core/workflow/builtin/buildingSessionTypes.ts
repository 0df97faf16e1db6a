import { z } from 'zod';
import { PLAN_FORMAT, PlanSchema } from './answerSchemas';
import { BUILD_PHASE, createBuildPhase } from './buildPhase';
import { createDocumentPhase } from './documentPhase';
import { createJsonDocumentPhase } from './jsonDocumentPhase';
import { COMPLETE_SESSION, type PhaseTarget } from './phaseState';
import { docsPrompt, planPrompt, specPrompt } from './prompts';
import { createResearchPhase, RESEARCH_PHASE } from './researchPhase';
import { PhasedSessionType } from './PhasedSessionType';

const buildOptions = {
  testCommand: z.string().min(1).optional(),
  maxBuildAttempts: z.number().int().positive().max(50).optional(),
};

const researchRounds = z.number().int().positive().max(10).optional();

function planPhase(next: PhaseTarget, reviewed = false) {
  return createJsonDocumentPhase({
    reviewed,
    step: 'plan',
    fileName: 'plan.json',
    artifactKind: 'plan',
    schema: PlanSchema,
    format: PLAN_FORMAT,
    next,
    buildPrompt: planPrompt,
  });
}

/** `full`: (research →) spec → plan → build (+ tests) → docs. */
export const fullSessionType = new PhasedSessionType({
  id: 'full',
  label: 'Full: spec → plan → build → docs',
  description: 'Writes a spec and a validated plan, builds until the tests pass, then documents the change.',
  mirrorsStateFile: true,
  optionsSchema: z
    .object({
      ...buildOptions,
      research: z.boolean().default(false),
      researchRounds,
      // Review gates on the spec and the plan: true always, false never; default in agentic mode only.
      // "true" / "false" too: the command line's --option approve=false gives text.
      approve: z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]).optional(),
    })
    .strict(),
  phases: {
    [RESEARCH_PHASE]: createResearchPhase('spec'),
    spec: createDocumentPhase({
      step: 'spec',
      fileName: 'spec.md',
      artifactKind: 'spec',
      next: 'plan',
      buildPrompt: specPrompt,
      reviewed: true,
    }),
    plan: planPhase(BUILD_PHASE, true),
    [BUILD_PHASE]: createBuildPhase('docs'),
    docs: createDocumentPhase({ step: 'docs', fileName: 'docs.md', artifactKind: 'docs', next: COMPLETE_SESSION, buildPrompt: docsPrompt }),
  },
  firstPhase: (options) => (options.research ? RESEARCH_PHASE : 'spec'),
});

/** `quick`: plan → build (+ tests). */
export const quickSessionType = new PhasedSessionType({
  id: 'quick',
  label: 'Quick: plan → build',
  description: 'Plans the change and builds it until the tests pass.',
  mirrorsStateFile: true,
  optionsSchema: z.object(buildOptions).strict(),
  phases: { plan: planPhase(BUILD_PHASE), [BUILD_PHASE]: createBuildPhase(COMPLETE_SESSION) },
  firstPhase: () => 'plan',
});

/** `research`: research notes only. */
export const researchSessionType = new PhasedSessionType({
  id: 'research',
  label: 'Research',
  description: 'Researches the goal and keeps the findings as notes under .sessions/<slug>/research/.',
  mirrorsStateFile: true,
  optionsSchema: z.object({ researchRounds }).strict(),
  phases: { [RESEARCH_PHASE]: createResearchPhase(COMPLETE_SESSION) },
  firstPhase: () => RESEARCH_PHASE,
});
