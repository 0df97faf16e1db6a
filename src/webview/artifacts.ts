import type { ArtifactLink } from '../protocol/timelineModel';
import { h, icon } from './dom';

/** The session's artifacts as links; a click asks the extension to open one. */
export class ArtifactLinksView {
  readonly el = h('nav', { className: 'artifacts', 'aria-label': 'Artifacts' });

  constructor(open: (artifactId: string) => void) {
    this.el.addEventListener('click', (e) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>('[data-artifact]')?.dataset.artifact;
      if (id) open(id);
    });
  }

  show(artifacts: readonly ArtifactLink[]): void {
    this.el.hidden = artifacts.length === 0;
    this.el.replaceChildren(
      h('span', { className: 'label' }, 'Artifacts'),
      ...artifacts.map((a) =>
        h(
          'button',
          { className: 'link', 'data-artifact': a.id, title: a.path ?? `${a.kind} (inline)` },
          icon(a.path ? 'file' : 'note'),
          a.path ?? a.key,
        ),
      ),
    );
  }
}
