import type { SessionType } from '../StepBehaviour';
import { fullSessionType, quickSessionType, researchSessionType } from './buildingSessionTypes';
import { componentDesignSessionType } from './componentDesignSessionType';
import { freeformSessionType } from './freeformSessionType';
import { testFixSessionType } from './testFixSessionType';

/** The built-in session types, in the order the New Session quick pick shows them. */
export const BUILTIN_SESSION_TYPES: readonly SessionType[] = [
  fullSessionType,
  quickSessionType,
  testFixSessionType,
  researchSessionType,
  componentDesignSessionType,
  freeformSessionType,
];
