import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { busyPeriods, freeBusyCalendar } from '../../../worker/calendars/ical';
import { appleWeeklyOverride, cal, googleAllDay, googleDailyBerlin, utc, vevent } from './fixtures';

const event = (...lines: string[]) => cal(...vevent(...lines));

describe('RFC 4791 §7.10 free-busy', () => {
  it('recurring events are expanded; TENTATIVE → BUSY-TENTATIVE; periods clipped to the range', () => {
    const periods = busyPeriods([googleDailyBerlin], { start: utc('20240328T000000'), end: utc('20240329T074500') });
    expect(periods).toEqual([
      { start: utc('20240328T130000'), end: utc('20240328T133000'), type: 'BUSY-TENTATIVE' },
      { start: utc('20240329T073000'), end: utc('20240329T074500'), type: 'BUSY' },
    ]);
  });

  it('TRANSP:TRANSPARENT and STATUS:CANCELLED take no time; zero-length events neither', () => {
    expect(busyPeriods([googleAllDay], { start: utc('20240301'), end: utc('20240401') })).toEqual([]);
    const cancelled = event('DTSTART:20240301T100000Z', 'DTEND:20240301T110000Z', 'STATUS:CANCELLED');
    const instant = event('DTSTART:20240301T100000Z');
    expect(busyPeriods([cancelled, instant], { start: utc('20240301'), end: utc('20240302') })).toEqual([]);
  });

  it('overlapping and adjacent periods merge; where BUSY and BUSY-TENTATIVE overlap, BUSY shows', () => {
    const a = event('DTSTART:20240301T100000Z', 'DTEND:20240301T110000Z');
    const b = event('DTSTART:20240301T103000Z', 'DTEND:20240301T120000Z');
    const c = event('DTSTART:20240301T120000Z', 'DTEND:20240301T123000Z');
    const tentative = event('DTSTART:20240301T113000Z', 'DTEND:20240301T140000Z', 'STATUS:TENTATIVE');
    expect(busyPeriods([a, b, c, tentative], { start: utc('20240301'), end: utc('20240302') })).toEqual([
      { start: utc('20240301T100000'), end: utc('20240301T123000'), type: 'BUSY' },
      { start: utc('20240301T123000'), end: utc('20240301T140000'), type: 'BUSY-TENTATIVE' },
    ]);
  });

  it('an EXDATE\'d or moved instance is free at its old time', () => {
    const periods = busyPeriods([appleWeeklyOverride], { start: utc('20240122'), end: utc('20240201') });
    expect(periods).toEqual([{ start: utc('20240131T200000'), end: utc('20240131T210000'), type: 'BUSY' }]);
  });

  it('VFREEBUSY components contribute their FREEBUSY periods (FREE ignored)', () => {
    const fb = cal('BEGIN:VFREEBUSY', 'UID:f', 'DTSTAMP:20240101T000000Z', 'FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240301T080000Z/PT1H', 'FREEBUSY;FBTYPE=FREE:20240301T120000Z/PT1H', 'END:VFREEBUSY');
    expect(busyPeriods([fb], { start: utc('20240301'), end: utc('20240302') })).toEqual([{ start: utc('20240301T080000'), end: utc('20240301T090000'), type: 'BUSY-UNAVAILABLE' }]);
  });

  it('freeBusyCalendar: one VFREEBUSY with DTSTAMP, the range, and FBTYPE only where not BUSY', () => {
    const text = freeBusyCalendar(
      [
        { start: utc('20240301T100000'), end: utc('20240301T110000'), type: 'BUSY' },
        { start: utc('20240301T120000'), end: utc('20240301T130000'), type: 'BUSY-TENTATIVE' },
      ],
      { start: utc('20240301'), end: utc('20240302') },
      utc('20240229T090000'),
    );
    const fb = new ICAL.Component(ICAL.parse(text) as unknown[]).getFirstSubcomponent('vfreebusy')!;
    expect(fb.getFirstProperty('dtstamp')!.toICALString()).toBe('DTSTAMP:20240229T090000Z');
    expect(fb.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART:20240301T000000Z');
    expect(fb.getFirstProperty('dtend')!.toICALString()).toBe('DTEND:20240302T000000Z');
    expect(fb.getAllProperties('freebusy').map((p) => p.toICALString())).toEqual([
      'FREEBUSY:20240301T100000Z/20240301T110000Z',
      'FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240301T120000Z/20240301T130000Z',
    ]);
  });
});
