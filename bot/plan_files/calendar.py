"""A doer's own agreements as calendar entries (RFC 5545, written by ``icalendar``).

Each agreement with a fixed moment becomes an event that repeats as the agreement does (a
recurrence rule from Kring's own rhythm, starting at its next occurrence), with an alarm at the
moment Kring itself reminds. As little detail as possible leaves Kring: what is done and the kind
of support — no names of the family, no backup, no circle. "When needed" agreements have no
moment and are left out.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vRecur

from bot.db.models import AgreementStatus, Frequency, Schedule
from bot.i18n import _
from bot.plan_text import support_label
from bot.services.agreements import AgreementView
from bot.services.occurrences import occurrences_between, rhythm_of
from scheduler.planner import reminder_time

DURATION = timedelta(hours=1)
LOOK_AHEAD = timedelta(days=400)
_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def recurrence(schedule: Schedule) -> vRecur | None:
    if schedule.frequency == Frequency.WEEKLY:
        return vRecur(freq="WEEKLY", interval=schedule.interval, byday=_WEEKDAYS[schedule.weekday or 0])
    if schedule.frequency == Frequency.MONTHLY:
        return vRecur(freq="MONTHLY", bymonthday=schedule.day_of_month)
    return None


def in_calendar(views: list[AgreementView], now: datetime) -> list[AgreementView]:
    """The agreements that can go in a calendar: active, with a moment still to come."""
    return [
        view
        for view in views
        if view.agreement.status == AgreementStatus.ACTIVE
        and view.schedule is not None
        and occurrences_between(rhythm_of(view.schedule), ZoneInfo(view.schedule.time_zone), now, now + LOOK_AHEAD)
    ]


def _alarm_before(moment: datetime, doer_tz: ZoneInfo, schedule: Schedule) -> timedelta:
    """How long before ``moment`` Kring reminds the doer (negative: before)."""
    return reminder_time(moment, doer_tz, schedule.remind_hours_before) - moment


def _event(
    view: AgreementView,
    day: date,
    tz: ZoneInfo,
    alarm_before: timedelta,
    now: datetime,
    *,
    rule: vRecur | None = None,
    recurrence_id: bool = False,
) -> Event:
    """The agreement on ``day`` at its wall-clock time (a time that does not exist on the night the
    clocks go forward is read an hour later, by RFC 5545 as by Kring)."""
    schedule = view.schedule
    assert schedule is not None
    start = datetime.combine(day, schedule.at_time, tzinfo=tz)
    event = Event()
    event.add("uid", f"kring-agreement-{view.agreement.id}@kring")
    if recurrence_id:
        event.add("recurrence-id", start)
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("duration", DURATION)
    event.add("summary", view.agreement.what)
    event.add(
        "description",
        support_label(view.agreement.support_kind)
        + "\n"
        + _("Lukt het een keer niet? Zeg het in Kring: dan kan iemand anders het doen."),
    )
    if rule is not None:
        event.add("rrule", rule)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", view.agreement.what)
    alarm.add("trigger", alarm_before)
    event.add_component(alarm)
    return event


def calendar_file(views: list[AgreementView], *, now: datetime, doer_tz: ZoneInfo) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Kring//Kring//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Kring")
    for view in in_calendar(views, now):
        schedule = view.schedule
        assert schedule is not None
        tz = ZoneInfo(schedule.time_zone)
        moments = occurrences_between(rhythm_of(schedule), tz, now, now + LOOK_AHEAD)
        rule = recurrence(schedule)
        first_day, first = moments[0]
        usual = _alarm_before(first, doer_tz, schedule)
        calendar.add_component(_event(view, first_day, tz, usual, now, rule=rule))
        if rule is None:
            continue
        for day, moment in moments[1:]:
            # Kring reminds on the doer's own clock: where that is not the usual time before (a doer
            # in a zone with other clock changes), this one occurrence gets its own alarm
            before = _alarm_before(moment, doer_tz, schedule)
            if before != usual:
                calendar.add_component(_event(view, day, tz, before, now, recurrence_id=True))
    calendar.add_missing_timezones(first_date=now.date())
    return bytes(calendar.to_ical())
