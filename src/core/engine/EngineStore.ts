/** The part of the store the engine uses now lives with the others, in store/ports. */
export type { EngineStore, EngineTransaction } from '../store/ports';
