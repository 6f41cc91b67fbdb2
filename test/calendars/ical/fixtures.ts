import appleWeeklyOverride from './fixtures/apple-weekly-override.ics?raw';
import davx5FloatingRdate from './fixtures/davx5-floating-rdate.ics?raw';
import googleAllDay from './fixtures/google-allday.ics?raw';
import googleDailyBerlin from './fixtures/google-daily-berlin.ics?raw';
import outlookTzidWithoutVtimezone from './fixtures/outlook-tzid-without-vtimezone.ics?raw';
import thunderbirdTodo from './fixtures/thunderbird-todo.ics?raw';

export { appleWeeklyOverride, davx5FloatingRdate, googleAllDay, googleDailyBerlin, outlookTzidWithoutVtimezone, thunderbirdTodo };

/** UTC milliseconds of an iCalendar-style UTC time, e.g. utc('20240108T150000'). */
export function utc(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?Z?$/.exec(s);
  if (!m) throw new Error(`bad time ${s}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
}

/** A VCALENDAR around the given component lines (CRLF-joined, as clients send). */
export function cal(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Cumulus tests//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}

/** A VEVENT with a UID and DTSTAMP around the given property lines. */
export function vevent(...lines: string[]): string[] {
  return ['BEGIN:VEVENT', 'UID:test-1', 'DTSTAMP:20240101T000000Z', ...lines, 'END:VEVENT'];
}
