#!/usr/bin/python3
"""Drives Debian's python3-caldav (0.11) against a CalDAV server and prints JSON on stdout.

Usage (the password comes from CALDAV_PASSWORD, or --password):
  python-caldav.py --url URL --user USER COMMAND [options]

Commands:
  discover                       principal, calendar home and calendars, found from URL
  create --id ID [--name NAME] [--method auto|mkcalendar|mkcol]
                                 a calendar in the home; auto = MKCALENDAR (python-caldav's
                                 make_calendar), extended MKCOL (RFC 5689) when that is refused
  save --calendar URL FILE.ics…  saves each file as an event (save_event); "-" reads stdin;
                                 --samples adds the scenario's sample events
  search --calendar URL --start ISO --end ISO
                                 expanded time-range search: the occurrences python-caldav returns
                                 (it expands on the client what the server left unexpanded) and,
                                 separately, the VEVENTs the server itself answered
                                 (server_components) and whether it expanded them (server_expanded)
  sync --calendar URL [--token TOKEN]
                                 objects_by_sync_token: the new token and the objects reported
  scenario [--id ID] [--method …]  all of it on fresh data: discover, create, save the sample
                                 events (one single, one weekly series with an EXDATE and a moved
                                 instance, one daily series), search June 2025 expanded, sync,
                                 change three objects (edit, delete, add), sync from the token

Occurrences are {uid, summary, start, end, recurrence_id}: times in UTC ("…Z"), floating ones
without Z, dates as YYYY-MM-DD; sorted by start then uid. Errors: a message on stderr, exit 1.
"""
import argparse
import datetime as dt
import json
import os
import re
import sys

import caldav
from caldav.elements import cdav, dav
from caldav.lib import error
from lxml import etree

UTC = dt.timezone.utc
RECURRENCE_PROPS = ("RRULE", "RDATE", "EXDATE", "EXRULE")

VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def vcalendar(body):
    return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Cumulus//python-caldav e2e//EN\n" + body + "END:VCALENDAR\n"


# The scenario's events. In June 2025 (UTC) they have these occurrences:
#   single:  06-10 07:00Z
#   weekly:  06-02, 06-09 07:30Z; 06-16 excluded (EXDATE); 06-23 moved to 06-24 09:00Z; 06-30 07:30Z
#            (07-07 is the 6th and last, outside the window)
#   daily:   06-05, 06-06, 06-07 08:00Z (UNTIL 06-07)
SAMPLES = {
    "single": vcalendar(VTIMEZONE + """BEGIN:VEVENT
UID:pycaldav-single
DTSTAMP:20250101T000000Z
DTSTART;TZID=Europe/Berlin:20250610T090000
DTEND;TZID=Europe/Berlin:20250610T100000
SUMMARY:Single meeting
END:VEVENT
"""),
    "weekly": vcalendar(VTIMEZONE + """BEGIN:VEVENT
UID:pycaldav-weekly
DTSTAMP:20250101T000000Z
DTSTART;TZID=Europe/Berlin:20250602T093000
DTEND;TZID=Europe/Berlin:20250602T100000
RRULE:FREQ=WEEKLY;COUNT=6
EXDATE;TZID=Europe/Berlin:20250616T093000
SUMMARY:Weekly standup
END:VEVENT
BEGIN:VEVENT
UID:pycaldav-weekly
DTSTAMP:20250101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20250623T093000
DTSTART;TZID=Europe/Berlin:20250624T110000
DTEND;TZID=Europe/Berlin:20250624T113000
SUMMARY:Weekly standup (moved)
END:VEVENT
"""),
    "daily": vcalendar("""BEGIN:VEVENT
UID:pycaldav-daily
DTSTAMP:20250101T000000Z
DTSTART:20250605T080000Z
DTEND:20250605T090000Z
RRULE:FREQ=DAILY;UNTIL=20250607T235959Z
SUMMARY:Daily sprint
END:VEVENT
"""),
}
EXTRA = vcalendar("""BEGIN:VEVENT
UID:pycaldav-extra
DTSTAMP:20250101T000000Z
DTSTART:20250620T120000Z
DTEND:20250620T130000Z
SUMMARY:Added later
END:VEVENT
""")
WINDOW = ("2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z")


def parse_time(text):
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def when(value):
    """A DTSTART/DTEND/RECURRENCE-ID value as text: UTC with Z, floating without, date as date."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def occurrence(component):
    start = component.get("DTSTART").dt
    if component.get("DTEND") is not None:
        end = component.get("DTEND").dt
    elif component.get("DURATION") is not None:
        end = start + component.get("DURATION").dt
    else:
        end = start
    rid = component.get("RECURRENCE-ID")
    if isinstance(rid, list):
        # python-caldav 0.11's client-side expansion adds a RECURRENCE-ID (= the new DTSTART) to
        # an overridden instance that already has one: the first is the original start.
        rid = rid[0]
    return {
        "uid": str(component.get("UID")),
        "summary": str(component.get("SUMMARY", "")),
        "start": when(start),
        "end": when(end),
        "recurrence_id": when(rid.dt) if rid is not None else None,
    }


def vevents(obj):
    return [c for c in obj.icalendar_instance.subcomponents if c.name == "VEVENT"]


def sort_occurrences(items):
    return sorted(items, key=lambda o: (o["start"], o["uid"]))


def connect(args):
    password = args.password if args.password is not None else os.environ.get("CALDAV_PASSWORD")
    if password is None:
        raise SystemExit("no password: set CALDAV_PASSWORD or pass --password")
    return caldav.DAVClient(url=args.url, username=args.user, password=password)


def discover(client):
    principal = client.principal()
    home = principal.calendar_home_set
    return {
        "principal": str(principal.url),
        "calendar_home": str(home.url),
        "calendars": [{"url": str(c.url), "name": c.name} for c in home.calendars()],
    }


def mkcol_body(name):
    """RFC 5689 extended MKCOL for a calendar, built from python-caldav's own elements."""
    prop = dav.Prop() + [
        dav.ResourceType() + [dav.Collection(), cdav.Calendar()],
        dav.DisplayName(name),
        cdav.SupportedCalendarComponentSet() + [cdav.Comp("VEVENT"), cdav.Comp("VTODO")],
    ]
    return etree.tostring((dav.Mkcol() + (dav.Set() + prop)).xmlelement(), encoding="utf-8", xml_declaration=True)


def create(client, cal_id, name, method):
    """Creates calendar cal_id in the home; returns {url, method, mkcalendar_error}."""
    principal = client.principal()
    home = principal.calendar_home_set
    refused = None
    if method in ("auto", "mkcalendar"):
        try:
            cal = principal.make_calendar(name=name, cal_id=cal_id)
            return {"url": str(cal.url), "method": "MKCALENDAR", "mkcalendar_error": None}
        except error.MkcalendarError as e:
            # python-caldav 0.11 only knows MKCALENDAR; a server that cannot receive it (workerd
            # answers 501 before any code runs) needs the extended MKCOL below.
            if method == "mkcalendar":
                raise
            status = re.search(r"\b(\d{3} [^\n']*)", str(e))
            refused = status.group(1) if status else str(e).split("\n")[0]
    url = home.url.join(cal_id + "/")
    response = client.mkcol(url, mkcol_body(name))
    if response.status != 201:
        raise error.MkcolError("extended MKCOL %s: %s %s" % (url, response.status, response.reason))
    return {"url": str(url), "method": "MKCOL", "mkcalendar_error": refused}


def calendar_at(client, url):
    return caldav.Calendar(client=client, url=url)


def save(cal, texts):
    out = []
    for text in texts:
        event = cal.save_event(text)
        out.append({"uid": str(event.id), "url": str(event.url)})
    return out


def search(cal, start, end):
    """Expanded time-range search: the library's occurrences (it expands on the client when the
    server did not) and the server's own answer to the same REPORT with CALDAV:expand."""
    start, end = parse_time(start), parse_time(end)
    xml, _ = cal.build_search_xml_query(event=True, start=start, end=end, expand=True)
    raw = cal.search(xml=xml, comp_class=caldav.Event)
    server_components = [c for obj in raw for c in vevents(obj)]
    library = cal.search(event=True, start=start, end=end, expand=True)
    return {
        "start": when(start),
        "end": when(end),
        "occurrences": sort_occurrences([occurrence(c) for obj in library for c in vevents(obj)]),
        # None when the server sent no VEVENT at all (nothing to tell).
        "server_expanded": all(not any(p in c for p in RECURRENCE_PROPS) for c in server_components) if server_components else None,
        "server_components": sort_occurrences([occurrence(c) for c in server_components]),
        "server_objects": len(raw),
    }


def sync(cal, token):
    """objects_by_sync_token from `token` (None: everything); each object loaded to tell a
    change from a deletion (python-caldav 0.11 lists both alike)."""
    result = cal.objects_by_sync_token(sync_token=token, load_objects=False)
    objects = []
    for obj in result:
        etag = obj.props.get(dav.GetEtag.tag)
        entry = {"url": str(obj.url), "etag": etag, "deleted": False, "uid": None}
        try:
            obj.load()
            entry["uid"] = str(vevents(obj)[0].get("UID")) if vevents(obj) else None
        except error.NotFoundError:
            entry["deleted"] = True
        objects.append(entry)
    return {"token": result.sync_token, "objects": sorted(objects, key=lambda o: o["url"])}


def scenario(client, cal_id, method):
    out = {"discover": discover(client)}
    out["create"] = create(client, cal_id, "python-caldav " + cal_id, method)
    cal = calendar_at(client, out["create"]["url"])
    out["save"] = save(cal, SAMPLES.values())
    out["search"] = search(cal, *WINDOW)
    out["sync_initial"] = sync(cal, None)
    by_uid = {s["uid"]: s["url"] for s in out["save"]}
    single = cal.event_by_url(by_uid["pycaldav-single"])
    single.load()
    single.icalendar_component["SUMMARY"] = "Single meeting (edited)"
    single.save()
    cal.event_by_url(by_uid["pycaldav-daily"]).delete()
    added = cal.save_event(EXTRA)
    out["changes"] = {"edited": by_uid["pycaldav-single"], "deleted": by_uid["pycaldav-daily"], "added": str(added.url)}
    out["sync_after_changes"] = sync(cal, out["sync_initial"]["token"])
    out["discover_after"] = discover(client)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("discover")
    p = commands.add_parser("create")
    p.add_argument("--id", required=True)
    p.add_argument("--name")
    p.add_argument("--method", choices=("auto", "mkcalendar", "mkcol"), default="auto")
    p = commands.add_parser("save")
    p.add_argument("--calendar", required=True)
    p.add_argument("--samples", action="store_true")
    p.add_argument("files", nargs="*")
    p = commands.add_parser("search")
    p.add_argument("--calendar", required=True)
    p.add_argument("--start", required=True)
    p.add_argument("--end", required=True)
    p = commands.add_parser("sync")
    p.add_argument("--calendar", required=True)
    p.add_argument("--token")
    p = commands.add_parser("scenario")
    p.add_argument("--id", default="python-caldav-e2e")
    p.add_argument("--method", choices=("auto", "mkcalendar", "mkcol"), default="auto")
    args = parser.parse_args()

    client = connect(args)
    if args.command == "discover":
        out = discover(client)
    elif args.command == "create":
        out = create(client, args.id, args.name or args.id, args.method)
    elif args.command == "save":
        texts = [sys.stdin.read() if f == "-" else open(f, encoding="utf-8").read() for f in args.files]
        if args.samples:
            texts += list(SAMPLES.values())
        out = save(calendar_at(client, args.calendar), texts)
    elif args.command == "search":
        out = search(calendar_at(client, args.calendar), args.start, args.end)
    elif args.command == "sync":
        out = sync(calendar_at(client, args.calendar), args.token)
    else:
        out = scenario(client, args.id, args.method)
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    try:
        main()
    except (error.DAVError, OSError) as e:
        sys.stderr.write("%s: %s\n" % (type(e).__name__, e))
        sys.exit(1)
