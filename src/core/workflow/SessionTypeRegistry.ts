import type { Session } from '../model/session';
import { WorkflowDefinitionSchema } from '../model/workflow';
import { BUILTIN_SESSION_TYPES } from './builtin/builtinSessionTypes';
import type { SessionType, SessionTypeSource } from './StepBehaviour';
import { UserWorkflowSessionType } from './UserWorkflowSessionType';
import type { LoadedWorkflow } from './WorkflowLoader';

/** What the New Session quick pick shows for a type. */
export interface SessionTypeInfo {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly source: SessionTypeSource;
}

/** Built-in session types plus the user's workflows (replaced wholesale on every reload). */
export class SessionTypeRegistry {
  private userTypes = new Map<string, UserWorkflowSessionType>();
  private readonly builtins: ReadonlyMap<string, SessionType>;

  constructor(builtins: readonly SessionType[] = BUILTIN_SESSION_TYPES) {
    this.builtins = new Map(builtins.map((type) => [type.id, type]));
  }

  /** Ids a workflow file may not take. */
  get builtinIds(): ReadonlySet<string> {
    return new Set(this.builtins.keys());
  }

  setUserWorkflows(workflows: readonly LoadedWorkflow[]): void {
    this.userTypes = new Map(
      workflows
        .filter((workflow) => !this.builtins.has(workflow.definition.id))
        .map((workflow) => [workflow.definition.id, new UserWorkflowSessionType(workflow.definition, workflow.file)]),
    );
  }

  get(id: string): SessionType | undefined {
    return this.builtins.get(id) ?? this.userTypes.get(id);
  }

  require(id: string): SessionType {
    const type = this.get(id);
    if (type === undefined) {
      throw new Error(`Unknown session type "${id}"; known types: ${[...this.builtins.keys(), ...this.userTypes.keys()].join(', ')}`);
    }
    return type;
  }

  /**
   * The type of an existing session. A workflow session whose file has since been removed runs on
   * from the definition it started with.
   */
  forSession(session: Session): SessionType {
    const type = this.get(session.type);
    if (type !== undefined) {
      return type;
    }
    const snapshot = WorkflowDefinitionSchema.safeParse(session.state.workflow);
    if (snapshot.success) {
      return new UserWorkflowSessionType(snapshot.data, '(definition kept by the session)');
    }
    return this.require(session.type);
  }

  list(): SessionTypeInfo[] {
    return [...this.builtins.values(), ...this.userTypes.values()].map(({ id, label, description, source }) => ({
      id,
      label,
      description,
      source,
    }));
  }
}
