import type { ArtifactLink } from '../protocol/timelineModel';
import { h, icon } from './dom';
import { t } from './l10n';

/** The session's artifacts as links; a click asks the extension to open one. */
export class ArtifactLinksView {
  readonly el = h('nav', { className: 'artifacts', 'aria-label': t('Artifacts') });

  constructor(open: (artifactId: string) => void) {
    this.el.addEventListener('click', (e) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>('[data-artifact]')?.dataset.artifact;
      if (id) open(id);
    });
  }

  show(artifacts: readonly ArtifactLink[]): void {
    this.el.hidden = artifacts.length === 0;
    this.el.replaceChildren(
      h('span', { className: 'label' }, t('Artifacts')),
      ...artifacts.map((a) =>
        h(
          'button',
          { className: 'link', 'data-artifact': a.id, title: a.path ?? t('{0} (inline)', a.kind) },
          icon(a.path ? 'file' : 'note'),
          a.path ?? a.key,
          a.review
            ? h(
                'span',
                { className: `badge review-${a.review}`, title: t('Review: {0}', t(REVIEW_LABEL[a.review])) },
                t(REVIEW_LABEL[a.review]),
              )
            : null,
        ),
      ),
    );
  }
}

/** A review gate's state of an artifact, as shown beside its link. */
const REVIEW_LABEL = { provisional: 'provisional', approved: 'approved', changes_requested: 'changes requested' } as const;
