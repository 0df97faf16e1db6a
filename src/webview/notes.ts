import type { NoteView, OutcomeView } from '../protocol/timelineModel';
import { h, icon } from './dom';
import { t } from './l10n';

/*
 * The goal details, the outcome and the notes of the timeline header. Every element that shows a
 * stored value carries `data-shown="<what>"`: the header reports those (tests check what is on screen).
 */

/** A titled list (criteria, constraints), or nothing when it is empty. */
export function listSection(title: string, shown: string, items: readonly string[]): HTMLElement | null {
  if (items.length === 0) return null;
  return h(
    'div',
    { className: 'criteria' },
    h('h2', {}, title),
    h('ul', {}, ...items.map((item) => h('li', { 'data-shown': shown }, item))),
  );
}

export function procedureSection(text: string): HTMLElement | null {
  if (!text.trim()) return null;
  return h(
    'div',
    { className: 'criteria' },
    h('h2', {}, t('Procedure notes')),
    h('p', { className: 'procedure-notes', 'data-shown': 'procedure' }, text),
  );
}

/** The outcome line (rating, completion, follow-up, next session) and the summary. */
export function outcomeSection(outcome: OutcomeView | null, summary: string | null): HTMLElement | null {
  if (outcome === null && !summary?.trim()) return null;
  const facts: (Node | null)[] = [];
  if (outcome) {
    const stars = '★'.repeat(outcome.rating) + '☆'.repeat(5 - outcome.rating);
    facts.push(
      h(
        'span',
        { className: 'badge', title: t('Success rating {0} of 5', outcome.rating), 'data-shown': 'rating' },
        stars,
        ` ${outcome.rating}/5`,
      ),
      h(
        'span',
        { className: 'badge', title: t('How much of the goal was done'), 'data-shown': 'completion' },
        t('{0} % complete', outcome.completionPercent),
      ),
      outcome.needsFollowUp
        ? h(
            'span',
            { className: 'badge follow-up', title: t('Needs follow-up'), 'data-shown': 'follow-up' },
            icon('issue-reopened'),
            t('Needs follow-up'),
          )
        : null,
      h('span', { className: 'outcome-by' }, outcome.recordedBy === 'claude' ? t('proposed by Claude') : t('recorded by a person')),
    );
  }
  return h(
    'div',
    { className: 'criteria outcome' },
    h('h2', {}, t('Outcome')),
    outcome ? h('div', { className: 'outcome-facts' }, ...facts.filter((f): f is Node => f !== null)) : null,
    summary?.trim() ? h('p', { className: 'summary', 'data-shown': 'summary' }, summary) : null,
    outcome?.needsFollowUp && outcome.followUpNotes.trim()
      ? h('p', { 'data-shown': 'follow-up-notes' }, t('Follow-up: '), outcome.followUpNotes)
      : null,
    outcome?.nextSessionSuggestion.trim()
      ? h('p', { 'data-shown': 'next-session' }, t('Suggested next session: '), outcome.nextSessionSuggestion)
      : null,
  );
}

const KIND_ICON: Readonly<Record<string, string>> = {
  observation: 'eye',
  concern: 'warning',
  insight: 'lightbulb',
  technical: 'tools',
  failure: 'error',
  workflow: 'gear',
};

/** The notes section: one item per note, important ones marked, each with the step it belongs to. */
export function notesSection(notes: readonly NoteView[]): HTMLElement | null {
  if (notes.length === 0) return null;
  const important = notes.filter((n) => n.important).length;
  return h(
    'div',
    { className: 'criteria notes' },
    h('h2', {}, important ? t('Notes ({0}, {1} important)', notes.length, important) : t('Notes ({0})', notes.length)),
    h('ul', {}, ...notes.map(noteItem)),
  );
}

function noteItem(note: NoteView): HTMLElement {
  const flags = [note.important ? 'important' : '', note.followUp ? 'follow-up' : ''].filter(Boolean);
  const step = note.interactionSeq === null ? '' : `step ${note.interactionSeq}`;
  const shown = [`note:${note.kind}`, ...flags, step].filter(Boolean).join(',');
  return h(
    'li',
    {
      className: `note${note.important ? ' important' : ''}`,
      'data-shown': shown,
      'data-note-seq': note.interactionSeq === null ? undefined : String(note.interactionSeq),
    },
    icon(note.important ? 'star-full' : (KIND_ICON[note.kind] ?? 'note')),
    h('span', { className: 'note-kind' }, note.kind),
    note.followUp ? h('span', { className: 'badge follow-up', title: t('Needs follow-up') }, t('follow-up')) : null,
    step ? h('span', { className: 'note-step', title: t('Added at step {0}', note.interactionSeq!) }, `#${note.interactionSeq}`) : null,
    h('span', { className: 'note-content' }, note.content),
  );
}
