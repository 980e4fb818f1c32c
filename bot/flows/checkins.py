"""/checkin, one question per screen: first what to choose (how often the family's check-in comes,
how often the plan is looked at, the check-ins of the people around the family, or one now), then
that one thing. After the family's first choice of rhythm it is asked, once, whether the former
professional may see the figures. And the few words a family member may add to their answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.flows.flow import Flow, Pressed, Reply, Step, Turn, rows, say, too_long
from bot.i18n import _, ngettext, pgettext
from bot.messages import pulse as pulse_messages
from bot.messages import who_questions as who_messages
from bot.messages.buttons import marked
from bot.plan_text import describe_when, weekday_name
from bot.services import authz, checkins, network_checkins, pulse, who_questions
from bot.services.agreements import When

TIMES = (time(18, 0), time(19, 0), time(20, 0))
REVIEW_TIP = 6  # weeks between looks at the plan: the circles' default
D = TypeVar("D")


@dataclass(frozen=True)
class CheckinDraft:
    circle_id: int
    #: A key of :data:`checkins.RHYTHMS`.
    rhythm: str | None = None
    weekday: int | None = None
    #: The network member whose check-ins are being chosen.
    member_id: int | None = None


Setup = Turn[CheckinDraft]


def refusal() -> str:
    return _("Alleen wie de kring regelt, kiest wanneer de check-in komt.")


async def _ask(turn: Setup) -> Reply:
    match turn.step:
        case "rhythm":
            return await _ask_rhythm(turn)
        case "review":
            setting = await checkins.setting(turn.session, turn.data.circle_id)
            weeks = [
                turn.button(
                    marked(
                        ngettext("{count} week", "{count} weken", w).format(count=w),
                        chosen=w == setting.review_weeks,
                        tip=w == REVIEW_TIP,
                    ),
                    "weeks",
                    w,
                )
                for w in checkins.REVIEW_CHOICES
            ]
            return _("Om de paar weken kijken we samen of het plan nog past. Hoe vaak?"), rows(weeks)
        case "weekday":
            return _("Op welke dag?"), rows([turn.button(weekday_name(d), "day", d) for d in range(7)], 4)
        case "time":
            return _("Hoe laat?"), InlineKeyboardMarkup(
                [[turn.button(t.strftime("%H:%M"), "time", i) for i, t in enumerate(TIMES)]]
            )
        case "network":
            return await _ask_member(turn)
        case "every":
            return await _ask_every(turn)
    return _("Wat wil je kiezen?"), rows(
        [
            turn.button(pgettext("button", "Hoe vaak vraag ik hoe het gaat?"), "topic", "rhythm"),
            turn.button("🔄 " + pgettext("button", "Samen naar het plan kijken"), "review"),
            turn.button("🌱 " + pgettext("button", "Check-ins voor de mensen om jullie heen"), "network"),
            turn.button(pgettext("button", "Nu een check-in"), "now"),
        ],
        1,
    )


async def _ask_rhythm(turn: Setup) -> Reply:
    """One question: how often. ✓ marks the rhythm now, "(tip)" what suits most families."""
    schedule = await checkins.current_rhythm(turn.session, turn.data.circle_id)
    now = next(
        (
            key
            for key, rhythm in checkins.RHYTHMS.items()
            if schedule and rhythm == (schedule.frequency, schedule.interval)
        ),
        None,
    )
    now_text = (
        _("Nu: {when}.").format(when=describe_when(When.from_schedule(schedule)))
        if schedule
        else _("Nu zijn er geen vaste check-ins.")
    )

    def choice(label: str, rhythm: str) -> InlineKeyboardButton:
        return turn.button(marked(label, chosen=rhythm == now, tip=rhythm == checkins.DEFAULT_RHYTHM), "rhythm", rhythm)

    return _("Hoe vaak vraag ik hoe het gaat?") + "\n" + now_text, rows(
        [
            choice(pgettext("button", "Elke week"), "weekly"),
            choice(pgettext("button", "Om de week"), "biweekly"),
            choice(pgettext("button", "Elke maand"), "monthly"),
            turn.button(marked(pgettext("button", "Geen check-ins"), chosen=schedule is None), "off"),
        ]
    )


# -- what each step accepts --------------------------------------------------------------------


def _or_now_or_off(pressed: Pressed[CheckinDraft]) -> Pressed[CheckinDraft]:
    """ "Nu een check-in" and "Geen check-ins" end the flow from any step (as they always did)."""

    async def step(turn: Setup, name: str, value: str) -> Reply | None:
        circle_id = turn.data.circle_id
        if name == "now":
            started = await checkins.start_now(turn.session, circle_id, person_id=turn.person_id, now=turn.now)
            turn.finish()
            return say(
                _("Goed, ik stel de vraag nu.") if started else _("Ik heb de vraag net al gesteld. Kijk in de groep.")
            )
        if name == "off":
            await checkins.set_rhythm(
                turn.session, circle_id, person_id=turn.person_id, rhythm=None, weekday=None, at_time=None, now=turn.now
            )
            turn.finish()
            return say(_("Goed. Er komen geen vaste check-ins meer. Met /checkin kan het altijd weer."))
        return await pressed(turn, name, value)

    return step


async def _topic(turn: Setup, name: str, value: str) -> Reply | None:
    """The first screen: what to choose. (A draft from before it, at "rhythm", showed the
    rhythms, "review" and "network" on one screen; those presses still work there.)"""
    if name == "topic" and value == "rhythm":
        turn.go("rhythm")
        return None
    if name == "review":
        turn.go("review")
        return None
    if name == "network":
        if not await network_checkins.network_members(turn.session, turn.data.circle_id):
            turn.finish()
            return say(_("Er doet nog niemand om het gezin heen mee. Nodig iemand uit met /invite."))
        turn.go("network")
        return None
    raise callbacks.BadCallbackData(value)


async def _rhythm(turn: Setup, name: str, value: str) -> Reply | None:
    if name in ("review", "network"):
        return await _topic(turn, name, value)
    if name != "rhythm" or value not in checkins.RHYTHMS:
        raise callbacks.BadCallbackData(value)
    turn.go("weekday" if value != "monthly" else "time", rhythm=value)
    return None


async def _review(turn: Setup, name: str, value: str) -> Reply | None:
    if name != "weeks":
        raise callbacks.BadCallbackData(name)
    every = callbacks.as_int(value)
    await checkins.set_review_weeks(
        turn.session, turn.data.circle_id, person_id=turn.person_id, weeks=every, now=turn.now
    )
    turn.finish()
    return say(
        ngettext(
            "Goed. Elke week kijken we samen of het plan nog past.",
            "Goed. Elke {count} weken kijken we samen of het plan nog past.",
            every,
        ).format(count=every)
    )


async def _weekday(turn: Setup, name: str, value: str) -> Reply | None:
    day = callbacks.as_int(value)
    if name != "day" or day >= 7:
        raise callbacks.BadCallbackData(value)
    turn.go("time", weekday=day)
    return None


async def _time(turn: Setup, name: str, value: str) -> Reply | None:
    if name != "time" or turn.data.rhythm is None:
        raise callbacks.BadCallbackData(name)
    at = callbacks.as_choice(TIMES, value)
    schedule = await checkins.set_rhythm(
        turn.session,
        turn.data.circle_id,
        person_id=turn.person_id,
        rhythm=turn.data.rhythm,
        weekday=turn.data.weekday,
        at_time=at,
        now=turn.now,
    )
    turn.finish()
    done = _("Goed. De check-in komt {when}.").format(when=describe_when(When.from_schedule(schedule)))
    try:  # now the family knows what a check-in is: may the professional see the figures?
        offered = await pulse.first_offer(turn.session, turn.data.circle_id, person_id=turn.person_id, now=turn.now)
    except authz.NotAllowed:
        offered = None
    if offered is None:
        if await who_questions.may_offer(turn.session, turn.data.circle_id, person_id=turn.person_id):
            done += "\n\n" + who_messages.offer()  # few people around the family: a tip, never forced
        return say(done)
    question, buttons = pulse_messages.offer(offered, turn.data.circle_id)
    return done + "\n\n" + question, buttons


# -- the network part: which members get a check-in of their own, and how often -----------------


async def _ask_member(turn: Setup) -> Reply:
    buttons = []
    for member, schedule in await network_checkins.network_members(turn.session, turn.data.circle_id):
        setting = (
            ngettext("elke week", "elke {count} weken", schedule.interval).format(count=schedule.interval)
            if schedule
            else _("zelf gestopt")
            if member.checkin_stopped_at
            else _("uit")
        )
        buttons.append(turn.button(f"{member.display_name} · {setting}", "member", member.id))
    return _("Wie krijgt af en toe een vraag hoe het met hem of haar gaat?"), rows(buttons, 1)


async def _member(turn: Setup, name: str, value: str) -> Reply | None:
    if name != "member":
        raise callbacks.BadCallbackData(name)
    member = await network_checkins.network_member(turn.session, callbacks.as_int(value), turn.data.circle_id)
    if member.checkin_stopped_at is not None:
        turn.finish()
        return say(
            _("{name} heeft deze vragen zelf gestopt. Alleen {name} kan ze weer aanzetten.").format(
                name=member.display_name
            )
        )
    turn.go("every", member_id=member.id)
    return None


async def _ask_every(turn: Setup) -> Reply:
    member = await network_checkins.network_member(turn.session, turn.data.member_id or 0, turn.data.circle_id)
    schedule = await network_checkins.current(turn.session, member.id)
    now = schedule.interval if schedule is not None else None
    choices = [
        turn.button(
            marked(
                ngettext("Elke week", "Elke {count} weken", w).format(count=w),
                chosen=w == now,
                tip=w == network_checkins.SUGGESTED,
            ),
            "every",
            w,
        )
        for w in network_checkins.CHOICES
    ]
    return (
        _(
            "Hoe vaak vraag ik {name} hoe het gaat? {name} hoort dat jij dit koos, en kan het zelf pauzeren of stoppen."
        ).format(name=member.display_name),
        InlineKeyboardMarkup(
            [choices, [turn.button(marked(pgettext("button", "Uit"), chosen=now is None), "every", 0)]]
        ),
    )


async def _every(turn: Setup, name: str, value: str) -> Reply | None:
    if name != "every":
        raise callbacks.BadCallbackData(name)
    weeks = callbacks.as_int(value) or None
    circle_id = turn.data.circle_id
    member = await network_checkins.network_member(turn.session, turn.data.member_id or 0, circle_id)
    await network_checkins.choose(
        turn.session, circle_id, member.id, person_id=turn.person_id, weeks=weeks, now=turn.now
    )
    turn.finish()
    if weeks is None:
        return say(_("Goed. {name} krijgt geen check-ins.").format(name=member.display_name))
    return say(
        ngettext(
            "Goed. {name} krijgt elke week een korte check-in. De eerste komt over een week.",
            "Goed. {name} krijgt elke {count} weken een korte check-in. De eerste komt over een week.",
            weeks,
        ).format(name=member.display_name, count=weeks)
    )


async def _may_choose(turn: Setup) -> None:
    await checkins.check_can_choose(turn.session, turn.data.circle_id, turn.person_id)


CHECKIN = Flow(
    "checkin",
    CheckinDraft,
    action="cks",
    check=_may_choose,
    gone=refusal,
    steps={
        "topic": Step(_ask, pressed=_or_now_or_off(_topic)),
        "rhythm": Step(_ask, pressed=_or_now_or_off(_rhythm)),
        "review": Step(_ask, pressed=_or_now_or_off(_review)),
        "weekday": Step(_ask, pressed=_or_now_or_off(_weekday)),
        "time": Step(_ask, pressed=_or_now_or_off(_time)),
        "network": Step(_ask, pressed=_or_now_or_off(_member)),
        "every": Step(_ask, pressed=_or_now_or_off(_every)),
    },
)


# -- a few words with one's answer -------------------------------------------------------------


def cannot_save() -> str:
    return _("Dit kan ik niet meer bewaren. Je antwoord op de check-in staat wel.")


@dataclass(frozen=True)
class NoteDraft:
    answer_id: int


async def _note(turn: Turn[NoteDraft], text: str) -> Reply | None:
    note = text.strip()
    if len(note) > checkins.MAX_NOTE:
        return too_long(checkins.MAX_NOTE)
    turn.finish()
    await checkins.add_note(turn.session, turn.data.answer_id, person_id=turn.person_id, text=note, now=turn.now)
    return say(_("Bewaard. Het gezin leest het bij de volgende check-in."))


NOTE = Flow(
    "checkin_note",
    NoteDraft,
    gone=cannot_save,
    waits=timedelta(hours=12),
    steps={"note": Step(typed=_note)},
)
