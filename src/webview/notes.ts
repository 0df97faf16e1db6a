import type { NoteView, OutcomeView } from '../protocol/timelineModel';
import { h, icon } from './dom';

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
    h('h2', {}, 'Procedure notes'),
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
        { className: 'badge', title: `Success rating ${outcome.rating} of 5`, 'data-shown': 'rating' },
        stars,
        ` ${outcome.rating}/5`,
      ),
      h(
        'span',
        { className: 'badge', title: 'How much of the goal was done', 'data-shown': 'completion' },
        `${outcome.completionPercent} % complete`,
      ),
      outcome.needsFollowUp
        ? h(
            'span',
            { className: 'badge follow-up', title: 'Needs follow-up', 'data-shown': 'follow-up' },
            icon('issue-reopened'),
            'Needs follow-up',
          )
        : null,
      h('span', { className: 'outcome-by' }, outcome.recordedBy === 'claude' ? 'proposed by Claude' : 'recorded by a person'),
    );
  }
  return h(
    'div',
    { className: 'criteria outcome' },
    h('h2', {}, 'Outcome'),
    outcome ? h('div', { className: 'outcome-facts' }, ...facts.filter((f): f is Node => f !== null)) : null,
    summary?.trim() ? h('p', { className: 'summary', 'data-shown': 'summary' }, summary) : null,
    outcome?.needsFollowUp && outcome.followUpNotes.trim()
      ? h('p', { 'data-shown': 'follow-up-notes' }, 'Follow-up: ', outcome.followUpNotes)
      : null,
    outcome?.nextSessionSuggestion.trim()
      ? h('p', { 'data-shown': 'next-session' }, 'Suggested next session: ', outcome.nextSessionSuggestion)
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
    h('h2', {}, `Notes (${notes.length}${important ? `, ${important} important` : ''})`),
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
    note.followUp ? h('span', { className: 'badge follow-up', title: 'Needs follow-up' }, 'follow-up') : null,
    step ? h('span', { className: 'note-step', title: `Added at step ${note.interactionSeq}` }, `#${note.interactionSeq}`) : null,
    h('span', { className: 'note-content' }, note.content),
  );
}
