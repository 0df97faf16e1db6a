import { z } from 'zod';

/**
 * What the timeline header's goal buttons do: Check Progress (in the progress section) and, at a
 * review gate, Approve and Request Changes. Each runs the extension's command of the same name on
 * the panel's own session (the command asks what it needs: the ticks, the comment).
 */
export const GOAL_ACTIONS = ['checkProgress', 'approve', 'requestChanges'] as const;
export const GoalActionSchema = z.enum(GOAL_ACTIONS);
export type GoalAction = z.infer<typeof GoalActionSchema>;
