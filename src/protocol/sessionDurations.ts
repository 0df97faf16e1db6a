/*
 * Expected and actual durations of sessions (Plan Session, issue 15): parsing what a person types
 * and showing minutes the same way in the tree, the timeline header and exports.
 */

/** `90`, `90m`, `1h`, `1h30`, `1h 30m`, `1.5h` → whole minutes; undefined when it is not a duration (or is zero). */
export function parseMinutes(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  let minutes: number | undefined;
  const plain = /^(\d+)\s*(?:m|min|mins|minutes?)?$/.exec(t);
  const hours = /^(\d+(?:\.\d+)?)\s*h(?:ours?|rs?)?(?:\s*(\d+)\s*(?:m|min|mins|minutes?)?)?$/.exec(t);
  if (plain) minutes = Number(plain[1]);
  else if (hours) minutes = Math.round(Number(hours[1]) * 60) + (hours[2] ? Number(hours[2]) : 0);
  return minutes !== undefined && Number.isFinite(minutes) && minutes > 0 && minutes <= 525_600 ? minutes : undefined;
}

/** `45 min`, `2 h`, `1 h 30 min`. */
export function formatMinutes(minutes: number): string {
  const m = Math.round(minutes);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return rest === 0 ? `${h} h` : `${h} h ${rest} min`;
}

/**
 * How long a session ran, in minutes: from when it became active to when it ended. Undefined
 * until it has ended, or if it never started (a planned session given up).
 */
export function actualMinutes(session: { startedAt: number | null; endedAt: number | null }): number | undefined {
  if (session.endedAt === null || session.startedAt === null) return undefined;
  return Math.max(0, (session.endedAt - session.startedAt) / 60_000);
}

/** `expected 1 h · actual 1 h 12 min`, `expected 45 min`, `actual 3 min`, or '' (neither known). */
export function durationLine(expectedMinutes: number | null, actual: number | undefined): string {
  const parts: string[] = [];
  if (expectedMinutes !== null) parts.push(`expected ${formatMinutes(expectedMinutes)}`);
  if (actual !== undefined) parts.push(`actual ${formatMinutes(actual)}`);
  return parts.join(' · ');
}

/**
 * `2026-12-05 14:30` (local time), `2026-12-05` (9:00 that day), `14:30` (today, or tomorrow if that
 * time has passed), `+2h`/`+30m`/`+1d` (from now) → epoch ms; undefined when it is none of those.
 */
export function parseScheduledAt(text: string, now: number): number | undefined {
  const t = text.trim();
  const relative = /^\+\s*(\d+)\s*([mhd])$/i.exec(t);
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2]!.toLowerCase() as 'm' | 'h' | 'd'];
    return now + Number(relative[1]) * unit;
  }
  const full = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?$/.exec(t);
  if (full) {
    const [, y, mo, d, hh, mm] = full;
    const date = new Date(Number(y), Number(mo) - 1, Number(d), hh === undefined ? 9 : Number(hh), mm === undefined ? 0 : Number(mm));
    return date.getFullYear() === Number(y) && date.getMonth() === Number(mo) - 1 && date.getDate() === Number(d) && validClock(hh, mm)
      ? date.getTime()
      : undefined;
  }
  const clock = /^(\d{1,2}):(\d{2})$/.exec(t);
  if (clock && validClock(clock[1], clock[2])) {
    const date = new Date(now);
    date.setHours(Number(clock[1]), Number(clock[2]), 0, 0);
    if (date.getTime() <= now) date.setDate(date.getDate() + 1);
    return date.getTime();
  }
  return undefined;
}

function validClock(hh: string | undefined, mm: string | undefined): boolean {
  return (hh === undefined || Number(hh) < 24) && (mm === undefined || Number(mm) < 60);
}

/** `2026-12-05 14:30` in local time, the form {@link parseScheduledAt} reads back. */
export function formatScheduledAt(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
