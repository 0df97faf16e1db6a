/** The parts of the store the Claude Code history features use now live with the others, in store/ports. */
export type { PipelinedStore, TransactionalStore } from '../store/ports';
