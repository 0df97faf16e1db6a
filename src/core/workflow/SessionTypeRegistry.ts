import type { Session } from '../model/session';
import { WorkflowDefinitionSchema, type SessionDefaults } from '../model/workflow';
import { BUILTIN_SESSION_TYPES } from './builtin/builtinSessionTypes';
import type { SessionType, SessionTypeSource } from './StepBehaviour';
import { hasSteps, UserWorkflowSessionType } from './UserWorkflowSessionType';
import type { LoadedWorkflow } from './WorkflowLoader';

/** What the New Session quick pick shows for a type. */
export interface SessionTypeInfo {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly source: SessionTypeSource;
  /** What New Session fills in when this type or template is picked (a workflow file's `defaults`). */
  readonly defaults?: SessionDefaults;
  /** A template: the built-in type a session started from it has (`extends`). */
  readonly baseType?: string;
}

/** Built-in session types plus the user's workflows (replaced wholesale on every reload). */
export class SessionTypeRegistry {
  private userTypes = new Map<string, UserWorkflowSessionType>();
  /** Templates (workflow files that extend a built-in type): listed for New Session, never a session's type. */
  private templates: SessionTypeInfo[] = [];
  private readonly builtins: ReadonlyMap<string, SessionType>;

  constructor(builtins: readonly SessionType[] = BUILTIN_SESSION_TYPES) {
    this.builtins = new Map(builtins.map((type) => [type.id, type]));
  }

  /** Ids a workflow file may not take. */
  get builtinIds(): ReadonlySet<string> {
    return new Set(this.builtins.keys());
  }

  setUserWorkflows(workflows: readonly LoadedWorkflow[]): void {
    const usable = workflows.filter((workflow) => !this.builtins.has(workflow.definition.id));
    this.userTypes = new Map(
      usable.flatMap(({ definition, file }) =>
        hasSteps(definition) ? [[definition.id, new UserWorkflowSessionType(definition, file)] as const] : [],
      ),
    );
    this.templates = usable.flatMap(({ definition, file }) => {
      const base = definition.extends === undefined ? undefined : this.builtins.get(definition.extends);
      if (hasSteps(definition) || base === undefined) return [];
      return [
        {
          id: definition.id,
          label: definition.label,
          description: definition.description ?? `Template of ${base.label} from ${file}`,
          source: 'workflow' as const,
          defaults: definition.defaults ?? {},
          baseType: base.id,
        },
      ];
    });
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

  /** The types, then the templates, for New Session (a template's session gets its `baseType`). */
  list(): SessionTypeInfo[] {
    return [
      ...[...this.builtins.values()].map(({ id, label, description, source }) => ({ id, label, description, source })),
      ...[...this.userTypes.values()].map(({ id, label, description, source, definition }): SessionTypeInfo => ({
        id,
        label,
        description,
        source,
        ...(definition.defaults ? { defaults: definition.defaults } : {}),
      })),
      ...this.templates,
    ];
  }
}
