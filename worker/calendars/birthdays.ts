import { parseCalendarObject } from './ical/index';
import { BIRTHDAY_URI, CalendarService, type CalendarRow } from './service';

// The birthday calendar (`contact_birthdays`, as Nextcloud names it): one yearly all-day VEVENT per
// card with a BDAY, written by the contacts service in the same request as the card. Read-only
// over DAV (dav-backend isReadOnly); only this module writes it.

/** What the contacts service hands over of a card (CardInfo.bday: YYYY-MM-DD or --MM-DD). */
export interface BirthdayCard { uri: string; uid: string; fn: string; bday: string | null }

function escapeText(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence. */
function fold(line: string): string {
  const out: string[] = [];
  let cur = '';
  let bytes = 0;
  for (const ch of line) {
    const n = new TextEncoder().encode(ch).length;
    if (bytes + n > 75) { out.push(cur); cur = ' '; bytes = 1; }
    cur += ch; bytes += n;
  }
  out.push(cur);
  return out.join('\r\n');
}

/**
 * The VCALENDAR for a card's birthday, or null without a usable BDAY. Summary "FN (*1990)" as
 * Nextcloud writes it; without a year just "FN", anchored in 1970 (1972 for 29 February, so the
 * date exists). 29 February recurs on the last day of February in other years.
 */
export function birthdayEvent(bookUri: string, card: BirthdayCard): string | null {
  const full = /^(\d{4})-(\d{2})-(\d{2})$/.exec(card.bday ?? '');
  const noYear = /^--(\d{2})-(\d{2})$/.exec(card.bday ?? '');
  if (!full && !noYear) return null;
  const [year, month, day] = full ? [Number(full[1]), Number(full[2]), Number(full[3])] : [null, Number(noYear![1]), Number(noYear![2])];
  const leap = month === 2 && day === 29;
  const y = year ?? (leap ? 1972 : 1970);
  const start = new Date(Date.UTC(y, month - 1, day));
  if (start.getUTCMonth() !== month - 1) return null; // 31 April and friends
  const end = new Date(start.getTime() + 86400_000);
  const date = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');
  const summary = year !== null ? `${card.fn} (*${year})` : card.fn;
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Cumulus//Birthday calendar//EN', 'BEGIN:VEVENT',
    fold(`UID:${escapeText(`birthday-${bookUri}-${card.uri}`)}`), 'DTSTAMP:19700101T000000Z',
    `DTSTART;VALUE=DATE:${date(start)}`, `DTEND;VALUE=DATE:${date(end)}`,
    leap ? 'RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1' : 'RRULE:FREQ=YEARLY',
    fold(`SUMMARY:${escapeText(summary)}`), 'TRANSP:TRANSPARENT', 'X-NEXTCLOUD-BC-FIELD-TYPE:BDAY',
    fold(`X-NEXTCLOUD-BC-NAME:${escapeText(card.fn)}`), ...(year !== null ? [`X-NEXTCLOUD-BC-YEAR:${year}`] : []),
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
}

async function birthdayCalendar(service: CalendarService): Promise<CalendarRow> {
  await service.env.DB.prepare(
    `INSERT OR IGNORE INTO calendars (owner, uri, displayname, color, calendar_order, components, synctoken, created_at)
     VALUES (?, ?, 'Contact birthdays', '#E9D859', 100, 'VEVENT', 0, ?)`,
  ).bind(service.owner, BIRTHDAY_URI, service.now).run();
  const cal = await service.get(BIRTHDAY_URI);
  if (!cal) throw new Error('birthday calendar missing');
  return cal;
}

/**
 * Brings the birthday event of one card in line with it: `card` null = the card is gone. Writes
 * only when the event text changes (DTSTAMP is fixed), so editing a card's phone number does not
 * bump the calendar's sync token.
 */
export async function syncBirthday(env: Env, owner: string, now: number, bookUri: string, cardUri: string, card: BirthdayCard | null): Promise<void> {
  const service = new CalendarService(env, owner, now);
  const text = card ? birthdayEvent(bookUri, card) : null;
  const existingCal = await service.get(BIRTHDAY_URI);
  if (!text && !existingCal) return;
  const cal = existingCal ?? await birthdayCalendar(service);
  const uri = `${bookUri}-${cardUri}.ics`;
  const existing = await service.object(cal, uri);
  if (!text) {
    if (existing) await service.dropObject(cal, existing);
    return;
  }
  if (existing?.data === text) return;
  const parsed = parseCalendarObject(text, { allowed: ['VEVENT'] });
  if (!parsed.ok) return;
  await service.put(cal, uri, text, parsed.info, existing, undefined);
}

/** An address book was deleted: its cards' birthdays go. */
export async function dropBookBirthdays(env: Env, owner: string, now: number, bookUri: string): Promise<void> {
  const service = new CalendarService(env, owner, now);
  const cal = await service.get(BIRTHDAY_URI);
  if (!cal) return;
  for (const o of await service.objects(cal)) if (o.uri.startsWith(`${bookUri}-`)) await service.dropObject(cal, o);
}
