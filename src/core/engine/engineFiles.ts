import { createHash } from 'node:crypto';
import type { Session } from '../model/session';
import type { StepOutcome } from '../workflow/StepBehaviour';
import { sessionFilesFor } from '../workflow/workspaceFiles';
import type { ArtifactText } from './progressCheck';
import type { SessionEngineOptions, WrittenFile } from './sessionInputs';

/** The latest live artifact of each key (at most 12), with its text where it can be read, for the progress check. */
export async function artifactTexts(options: SessionEngineOptions, session: Session): Promise<ArtifactText[]> {
  const latest = new Map<string, ArtifactText & { path: string | null; content: string | null }>();
  for (const a of options.store.artifacts?.list(session.id) ?? []) {
    latest.set(a.key, { key: a.key, kind: a.kind, path: a.path, content: a.content, text: undefined });
  }
  const texts: ArtifactText[] = [];
  for (const a of [...latest.values()].slice(-12)) {
    let text = a.content ?? undefined;
    if (text === undefined && a.path !== null) text = await options.workspaceFiles.readText(a.path).catch(() => undefined);
    texts.push({ key: a.key, kind: a.kind, path: a.path, text });
  }
  return texts;
}

export async function writeFiles(options: SessionEngineOptions, session: Session, outcome: StepOutcome): Promise<WrittenFile[]> {
  const files = sessionFilesFor(options.workspaceFiles, session.slug);
  const written: WrittenFile[] = [];
  for (const file of outcome.files ?? []) {
    const path = files.pathOf(file.name);
    const bytes = Buffer.from(file.content, 'utf8');
    await options.workspaceFiles.writeText(path, file.content);
    written.push({
      path,
      key: file.artifactKey,
      kind: file.artifactKind,
      contentType: file.contentType,
      byteSize: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  return written;
}

export async function mirrorStateFile(options: SessionEngineOptions, session: Session): Promise<void> {
  try {
    if (!options.types.forSession(session).mirrorsStateFile) {
      return;
    }
    const mirror = {
      sessionId: session.id,
      type: session.type,
      title: session.title,
      phase: session.phase,
      status: session.status,
      updatedAt: new Date(session.updatedAt).toISOString(),
    };
    await options.workspaceFiles.writeText(
      sessionFilesFor(options.workspaceFiles, session.slug).pathOf('state.json'),
      `${JSON.stringify(mirror, null, 2)}\n`,
    );
  } catch (error) {
    options.onBackgroundError?.(error, `writing state.json of session ${session.id}`);
  }
}
