import { escapeXml as esc } from '../dav/xml';
import { dayOf, isoDay, type EmbedView, type Occurrence, type Period } from './embed';
import type { CalendarRow } from './service';

// The server-rendered embed page: no scripts, semantic HTML (landmarks, headings, tables with
// captions and column headers, lists), visible focus, AA contrast in light and dark schemes,
// usable from 360 px wide. Event text is always in the page's own colours; a calendar's colour
// marks events (a stripe) and the legend, so any colour a user picks keeps the text readable.

const DAY = 86_400_000;
const VIEW_LABELS: Record<EmbedView, string> = {
  month: 'Month', week: 'Week', day: 'Day', listMonth: 'List month', listWeek: 'List week', listDay: 'List day',
};
const UNIT: Record<EmbedView, string> = { month: 'month', listMonth: 'month', week: 'week', listWeek: 'week', day: 'day', listDay: 'day' };

const utc = (opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: 'UTC' });
const fmtLong = utc({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const fmtMonth = utc({ month: 'long', year: 'numeric' });
const fmtShort = utc({ day: 'numeric', month: 'short', year: 'numeric' });
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const dateOf = (day: number) => new Date(day * DAY);

/** A calendar colour safe to put in a style attribute (#RRGGBB); the default blue otherwise. */
function colourOf(cal: CalendarRow): string {
  return cal.color && /^#[0-9a-f]{6}/i.test(cal.color) ? cal.color.slice(0, 7) : '#0082c9';
}

export interface EmbedPageInput {
  calendars: CalendarRow[];
  period: Period;
  today: number;
  zone: string;
  occurrences: Occurrence[];
  /** URL of the page for a view and a day ('now' for today). */
  link: (view: EmbedView, day: number | 'now') => string;
}

function periodLabel(p: Period): string {
  if (p.view === 'month' || p.view === 'listMonth') return fmtMonth.format(dateOf(p.focusStart));
  if (p.view === 'week' || p.view === 'listWeek') return `Week of ${fmtShort.format(dateOf(p.focusStart))} to ${fmtShort.format(dateOf(p.focusEnd - 1))}`;
  return fmtLong.format(dateOf(p.focusStart));
}

/** How an occurrence's time reads on one day: "All day", "09:00–09:30", "from 22:00", "until 02:00". */
function timeText(o: Occurrence, day: number, zone: string): string {
  if (o.allDay) return 'All day';
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const startsToday = o.firstDay === day;
  const endsToday = o.lastDay === day;
  if (startsToday && endsToday) return o.end > o.start ? `${fmt.format(o.start)}–${fmt.format(o.end)}` : fmt.format(o.start);
  if (startsToday) return `from ${fmt.format(o.start)}`;
  if (endsToday) return `until ${fmt.format(o.end)}`;
  return 'All day';
}

function eventItem(o: Occurrence, day: number, input: EmbedPageInput): string {
  const cal = input.calendars[o.calendar];
  const name = cal.displayname || cal.uri;
  const time = timeText(o, day, input.zone);
  const datetime = o.allDay ? isoDay(o.firstDay) : new Date(o.start).toISOString();
  const where = o.location ? `<span class="where">${esc(o.location)}</span>` : '';
  const multi = input.calendars.length > 1 ? ` <span class="sr">(${esc(name)})</span>` : '';
  const status = o.cancelled ? '<span class="sr">Cancelled: </span>' : '';
  return `<li class="event${o.cancelled ? ' cancelled' : ''}" style="--cal:${colourOf(cal)}">` +
    `<time class="when" datetime="${esc(datetime)}">${esc(time)}</time> ${status}<span class="what">${esc(o.summary)}</span>${multi}${where}</li>`;
}

function eventsOn(day: number, input: EmbedPageInput): Occurrence[] {
  return input.occurrences.filter((o) => o.firstDay <= day && o.lastDay >= day);
}

function eventList(day: number, input: EmbedPageInput): string {
  const evs = eventsOn(day, input);
  return evs.length ? `<ul class="events">${evs.map((o) => eventItem(o, day, input)).join('')}</ul>` : '';
}

function dayCell(day: number, input: EmbedPageInput, inFocus: boolean): string {
  const today = day === input.today;
  const cls = [inFocus ? '' : 'other', today ? 'today' : ''].filter(Boolean).join(' ');
  return `<td data-date="${isoDay(day)}"${cls ? ` class="${cls}"` : ''}${today ? ' aria-current="date"' : ''}>` +
    `<time class="daynum" datetime="${isoDay(day)}"><span aria-hidden="true">${dateOf(day).getUTCDate()}</span>` +
    `<span class="sr">${esc(fmtLong.format(dateOf(day)))}${today ? ', today' : ''}</span></time>${eventList(day, input)}</td>`;
}

/** Month and week views: a table, one column per weekday, one row per week. */
function gridView(input: EmbedPageInput, label: string): string {
  const p = input.period;
  const head = WEEKDAYS.map((d) => `<th scope="col"><abbr title="${d}">${d.slice(0, 3)}</abbr></th>`).join('');
  let rows = '';
  for (let week = p.start; week < p.end; week += 7) {
    let cells = '';
    for (let day = week; day < week + 7; day++) cells += dayCell(day, input, day >= p.focusStart && day < p.focusEnd);
    rows += `<tr>${cells}</tr>`;
  }
  return `<div class="scroll" role="region" aria-labelledby="caption" tabindex="0"><table class="grid ${p.view}">` +
    `<caption id="caption">${esc(label)}</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** Day and list views: one section per day that has events (the day view always shows its day). */
function listView(input: EmbedPageInput): string {
  const p = input.period;
  let out = '';
  for (let day = p.start; day < p.end; day++) {
    const evs = eventsOn(day, input);
    if (evs.length === 0 && p.view !== 'day') continue;
    const id = `d${isoDay(day)}`;
    out += `<section class="day${day === input.today ? ' today' : ''}" aria-labelledby="${id}" data-date="${isoDay(day)}">` +
      `<h3 id="${id}"><time datetime="${isoDay(day)}">${esc(fmtLong.format(dateOf(day)))}</time>${day === input.today ? ' <span class="badge">Today</span>' : ''}</h3>` +
      (evs.length ? `<ul class="events">${evs.map((o) => eventItem(o, day, input)).join('')}</ul>` : '<p class="empty">No events.</p>') + '</section>';
  }
  return out || '<p class="empty">No events in this period.</p>';
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1a1a1a;--muted:#545454;--line:#c7c7c7;--link:#00578a;--focus:#00578a;--other:#f2f2f2;--today:#e6f2fa}
@media (prefers-color-scheme:dark){:root{--bg:#151515;--fg:#efefef;--muted:#b5b5b5;--line:#555;--link:#8fcbff;--focus:#8fcbff;--other:#202020;--today:#1d2f3d}}
*{box-sizing:border-box}
body{margin:0;padding:.75rem;background:var(--bg);color:var(--fg);font:1rem/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:var(--link)}
a:focus-visible,.scroll:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.skip{position:absolute;left:-999px}.skip:focus{left:.75rem;top:.75rem;background:var(--bg);padding:.25rem .5rem;z-index:1}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;justify-content:space-between}
h1{font-size:1.25rem;margin:0}h2{font-size:1.125rem;margin:.5rem 0}h3{font-size:1rem;margin:.75rem 0 .25rem}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem .75rem}
nav a{display:inline-block;padding:.25rem 0;min-height:24px}
nav a[aria-current]{font-weight:700;color:var(--fg)}
.scroll{overflow-x:auto}
table.grid{width:100%;min-width:20rem;border-collapse:collapse;table-layout:fixed}
.grid.week{min-width:36rem}
caption{text-align:start;font-weight:700;font-size:1.125rem;padding:.25rem 0}
th{font-weight:600;font-size:.875rem;padding:.25rem;border-bottom:1px solid var(--line)}
td{vertical-align:top;border:1px solid var(--line);padding:.25rem;height:5rem;font-size:.8125rem;overflow-wrap:anywhere}
td.other{background:var(--other);color:var(--muted)}
td.today,section.today{background:var(--today)}
.daynum{font-weight:600}
td.today .daynum span[aria-hidden]{text-decoration:underline;text-decoration-thickness:2px}
ul.events{list-style:none;margin:.25rem 0 0;padding:0}
.event{border-inline-start:.25rem solid var(--cal);padding:.125rem .375rem;margin:.125rem 0;background:color-mix(in srgb,var(--cal) 10%,var(--bg))}
.when{color:var(--muted);font-variant-numeric:tabular-nums;margin-inline-end:.25rem}
.where{display:block;color:var(--muted)}
.cancelled .what{text-decoration:line-through}
.badge{font-size:.75rem;border:1px solid var(--line);padding:0 .375rem;border-radius:.5rem}
footer{margin-top:1rem;font-size:.875rem;color:var(--muted)}
footer ul{list-style:none;padding:0;margin:.25rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.swatch{display:inline-block;width:.75rem;height:.75rem;border:1px solid var(--fg);background:var(--cal);margin-inline-end:.375rem;vertical-align:-.05rem}
@media (max-width:30rem){body{padding:.5rem}td{height:3.5rem;font-size:.75rem;padding:.125rem}.where{display:none}}
`;

/** The whole embed page. */
export function renderEmbedPage(input: EmbedPageInput): string {
  const p = input.period;
  const names = input.calendars.map((c) => c.displayname || c.uri);
  const title = names.join(', ');
  const label = periodLabel(p);
  const unit = UNIT[p.view];
  const views = (Object.keys(VIEW_LABELS) as EmbedView[]).map((v) =>
    `<li><a href="${esc(input.link(v, p.focusStart))}"${v === p.view ? ' aria-current="page"' : ''}>${VIEW_LABELS[v]}</a></li>`).join('');
  const body = p.view === 'month' || p.view === 'week' ? gridView(input, label) : listView(input);
  const legend = input.calendars.map((c) => `<li style="--cal:${colourOf(c)}"><span class="swatch" aria-hidden="true"></span>${esc(c.displayname || c.uri)}</li>`).join('');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">` +
    `<title>${esc(`${title} – ${label}`)}</title><style>${STYLE}</style></head><body>` +
    `<a class="skip" href="#main">Skip to events</a>` +
    `<header><h1>${esc(title)}</h1><nav aria-label="Period"><ul>` +
    `<li><a href="${esc(input.link(p.view, p.prev))}" rel="prev">Previous ${unit}</a></li>` +
    `<li><a href="${esc(input.link(p.view, 'now'))}">Today</a></li>` +
    `<li><a href="${esc(input.link(p.view, p.next))}" rel="next">Next ${unit}</a></li></ul></nav>` +
    `<nav aria-label="View"><ul>${views}</ul></nav></header>` +
    `<main id="main" tabindex="-1"><h2>${esc(label)}</h2>${body}</main>` +
    `<footer><h2 class="sr">Calendars</h2><ul>${legend}</ul><p>Times are shown in ${esc(input.zone)}.</p></footer></body></html>`;
}

/** Today's civil day in a zone. */
export function todayIn(zone: string, now: number): number {
  return dayOf(now, zone);
}
