"""/checkin (coordinators choose the rhythm, or ask now), the check-in itself with its look back,
the answers, and the gentle reminder the next day."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import (
    CheckinAnswerKind,
    CheckinRound,
    Circle,
    Delivery,
    Draft,
    Outcome,
    Schedule,
    WorryTrend,
)
from bot.handlers import help_flow, network_checkins
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.handlers.fallback import stale_button
from bot.handlers.flows import (
    StepReply,
    begin_for_circle,
    button_action,
    draft_button,
    on_text,
    take_note,
)
from bot.i18n import _, ngettext, pgettext
from bot.plan_text import describe_when, step_line, weekday_name
from bot.runtime import KringContext
from bot.services import authz, checkins, drafts, safety_plan
from bot.services import network_checkins as network
from bot.services.agreements import When
from bot.services.authz import Action
from bot.texts import answer_labels, not_an_emergency_service
from scheduler.sender import Rendered

FLOW = "checkin"
NOTE_FLOW = "checkin_note"
STEP = "cks"
ANSWER = "ci"
WORRY = "cw"
TIMES = (time(18, 0), time(19, 0), time(20, 0))


def _button(text: str, draft_id: int, field: str, value: object = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(STEP, draft_id, field, str(value)))


def answer_buttons(round_id: int) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(label, callback_data=callbacks.encode(ANSWER, round_id, kind.value))
        for kind, label in answer_labels().items()
    ]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


# -- choosing the rhythm ------------------------------------------------------------------------


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, CHECKIN_COMMAND)


async def _begin(context: KringContext, message: Message, circle_id: int) -> None:
    async with context.runtime.sessions.begin() as session:
        draft = await begin_for_circle(
            context,
            session,
            message,
            circle_id,
            action=Action.CHOOSE_CHECKIN,
            flow=FLOW,
            step="rhythm",
            refusal=_("Alleen wie de kring regelt, kiest wanneer de check-in komt."),
        )
        if draft is None:
            return
        current = await checkins.current_rhythm(session, circle_id)
        now_text = (
            _("Nu: {when}.").format(when=describe_when(When.from_schedule(current)))
            if current
            else _("Nu zijn er geen vaste check-ins.")
        )
        review_weeks = (await session.get_one(Circle, circle_id)).review_weeks
        draft_id = draft.id
    buttons = InlineKeyboardMarkup(
        [
            [
                _button(pgettext("button", "Elke week"), draft_id, "rhythm", "weekly"),
                _button(pgettext("button", "Om de week") + " ✓", draft_id, "rhythm", "biweekly"),
            ],
            [_button(pgettext("button", "Elke maand"), draft_id, "rhythm", "monthly")],
            [
                _button(pgettext("button", "Nu een check-in"), draft_id, "now"),
                _button(pgettext("button", "Geen check-ins"), draft_id, "off"),
            ],
            [
                _button(
                    "🔄 "
                    + ngettext("Plan nakijken: elke week", "Plan nakijken: elke {count} weken", review_weeks).format(
                        count=review_weeks
                    ),
                    draft_id,
                    "review",
                )
            ],
            [_button("🌱 " + pgettext("button", "Check-ins voor het netwerk"), draft_id, "network")],
        ]
    )
    await message.reply_text(
        _("Hoe vaak vraag ik hoe het gaat? Om de week past bij de meeste gezinnen.") + "\n" + now_text,
        reply_markup=buttons,
    )


async def step_pressed(update: Update, context: KringContext) -> None:
    await draft_button(update, context, STEP, FLOW, _press)


async def _press(
    context: KringContext, session: AsyncSession, draft: Draft, field: str, value: str
) -> StepReply | None:
    runtime = context.runtime
    now = runtime.clock.now()
    circle_id = draft.data["circle_id"]
    network = await network_checkins.choose_step(context, session, draft, field, value, _button)
    if network is not None:
        return network
    if field == "now":
        started = await checkins.start_now(session, circle_id, person_id=draft.person_id, now=now)
        await drafts.finish(session, draft)
        return (
            _("Goed, ik stel de vraag nu.") if started else _("Ik heb de vraag net al gesteld. Kijk in de groep.")
        ), None
    if field == "off":
        await checkins.set_rhythm(
            session, circle_id, person_id=draft.person_id, rhythm=None, weekday=None, at_time=None, now=now
        )
        await drafts.finish(session, draft)
        return _("Goed. Er komen geen vaste check-ins meer. Met /checkin kan het altijd weer."), None
    if field == "review" and draft.step == "rhythm":
        drafts.advance(draft, "review", now=now)
        weeks = [
            _button(
                ngettext("{count} week", "{count} weken", w).format(count=w) + (" ✓" if w == 6 else ""),
                draft.id,
                "weeks",
                w,
            )
            for w in checkins.REVIEW_CHOICES
        ]
        return _("Om de paar weken kijken we samen of het plan nog past. Hoe vaak?"), InlineKeyboardMarkup([weeks])
    if field == "weeks" and draft.step == "review" and value.isdigit():
        every = callbacks.as_int(value)
        await checkins.set_review_weeks(session, circle_id, person_id=draft.person_id, weeks=every, now=now)
        await drafts.finish(session, draft)
        return ngettext(
            "Goed. Elke week kijken we samen of het plan nog past.",
            "Goed. Elke {count} weken kijken we samen of het plan nog past.",
            every,
        ).format(count=every), None
    if field == "rhythm" and draft.step == "rhythm" and value in checkins.RHYTHMS:
        drafts.advance(draft, "weekday" if value != "monthly" else "time", now=now, rhythm=value)
        if value == "monthly":
            return _time_question(draft.id)
        days = [_button(weekday_name(d), draft.id, "day", d) for d in range(7)]
        return _("Op welke dag?"), InlineKeyboardMarkup([days[:4], days[4:]])
    if field == "day" and draft.step == "weekday" and value.isdigit() and callbacks.as_int(value) < 7:
        drafts.advance(draft, "time", now=now, weekday=callbacks.as_int(value))
        return _time_question(draft.id)
    if field == "time" and draft.step == "time" and value.isdigit() and callbacks.as_int(value) < len(TIMES):
        schedule = await checkins.set_rhythm(
            session,
            circle_id,
            person_id=draft.person_id,
            rhythm=draft.data["rhythm"],
            weekday=draft.data.get("weekday"),
            at_time=TIMES[callbacks.as_int(value)],
            now=now,
        )
        await drafts.finish(session, draft)
        return _("Goed. De check-in komt {when}.").format(when=describe_when(When.from_schedule(schedule))), None
    return None


def _time_question(draft_id: int) -> StepReply:
    return _("Hoe laat?"), InlineKeyboardMarkup(
        [[_button(t.strftime("%H:%M"), draft_id, "time", i) for i, t in enumerate(TIMES)]]
    )


# -- the check-in -------------------------------------------------------------------------------


async def _look_back_text(session: AsyncSession, checkin: CheckinRound) -> str:
    back = await checkins.look_back(session, checkin)
    labels = answer_labels()
    lines = ["👀 " + _("Eerst even terugkijken.")]
    if back.first:
        lines.append(_("Dit is de eerste check-in. Welkom!"))
    elif back.answers:
        counted = [f"{labels[kind]}: {count}" for kind, count in back.answers.most_common()]
        if back.no_answer:
            counted.append(_("geen antwoord: {count}").format(count=back.no_answer))
        lines.append(_("Vorige keer: {answers}").format(answers=", ".join(counted)))
        lines += [f"✍️ {name}: “{note}”" for name, note in back.notes]
    else:
        lines.append(_("Vorige keer heeft niemand geantwoord. Dat geeft niets."))
    lines += await _network_lines(session, checkin)
    done = back.outcomes[Outcome.DONE]
    backup = back.outcomes[Outcome.BACKUP_DONE]
    missed = back.outcomes[Outcome.NOT_DONE] + back.outcomes[Outcome.BACKUP_CANT] + back.outcomes[Outcome.PENDING]
    if done or backup or missed:
        lines.append(
            _(
                "Afspraken sinds de vorige keer: {done} gedaan, {backup} door de reserve, {missed} niet gelukt of geen antwoord."
            ).format(done=done, backup=backup, missed=missed)
        )
    return "\n".join(lines)


async def _network_lines(session: AsyncSession, checkin: CheckinRound) -> list[str]:
    """What network members shared since the last check-in (their consent decides what)."""
    previous = await checkins.previous_round(session, checkin)
    since = previous.occurs_at if previous else checkin.occurs_at - timedelta(days=14)
    words = network_checkins.contact_words()
    lines = []
    for shared in await network.shared_with_family(session, checkin.circle_id, since, checkin.occurs_at):
        said = (
            [_("contact met het gezin: {answer}").format(answer=words[shared.had_contact])]
            if shared.had_contact
            else []
        )
        if shared.wants_to_talk:
            said.append(_("wil graag met jullie praten"))
        if said:
            lines.append(f"🌱 {shared.name}: " + ", ".join(said))
        if shared.note:
            lines.append(f"✍️ {shared.name}: “{shared.note}”")
    return lines


async def _current_round(session: AsyncSession, delivery: Delivery) -> CheckinRound | None:
    """The round, unless its rhythm was changed or stopped since it was queued."""
    checkin = await session.get(CheckinRound, delivery.payload.get("round_id"))
    if checkin is None or checkin.schedule_id is None:
        return checkin
    schedule = await session.get(Schedule, checkin.schedule_id)
    return checkin if schedule is not None and schedule.active else None


async def checkin_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    checkin = await _current_round(session, delivery)
    if checkin is None:
        return None
    text = (
        await _look_back_text(session, checkin)
        + "\n\n"
        + "💬 "
        + _("Hoe gaat het met jullie? Iedereen van het gezin kan zelf antwoorden.")
    )
    return Rendered(text, answer_buttons(checkin.id))


async def nudge(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    checkin = await _current_round(session, delivery)
    if checkin is None:
        return None
    missing = await checkins.not_answered(session, checkin, checkin.occurs_at + checkins.NUDGE_AFTER)
    if delivery.person_id is not None:
        missing = [m for m in missing if m.person_id == delivery.person_id]
    if not missing:
        return None
    names = ", ".join(m.display_name for m in missing)
    return Rendered(
        _(
            "Nog even over gisteren: hoe gaat het? {names}, jullie antwoord is welkom. Het hoeft niet lang te zijn."
        ).format(names=names),
        answer_buttons(checkin.id),
    )


async def review(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    """Plans change (domain rule 11): every few check-ins, a moment to look at the plan together."""
    if await _current_round(session, delivery) is None:
        return None
    return Rendered(
        "\n".join(
            [
                "🔄 " + _("Past het plan nog? Elke paar weken kijken we dat samen na."),
                _("Met /plan zie je wie wat doet."),
                _("Met /agreements pas je een afspraak aan, of stop je ermee."),
                _("Met /invite nodig je iemand nieuw uit. Met /agreement maak je een nieuwe afspraak."),
            ]
        )
    )


async def answer_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    try:
        round_id, value = callbacks.decode(query.data, ANSWER, 2)
        kind = callbacks.as_enum(CheckinAnswerKind, value)
        if context.person_id is None or not isinstance(query.message, Message):
            raise authz.NotAllowed(Action.ANSWER_CHECKIN)
        async with runtime.sessions.begin() as session:
            now = runtime.clock.now()
            given = await checkins.answer(
                session, callbacks.as_int(round_id), person_id=context.person_id, kind=kind, now=now
            )
            member = (await authz.authorize(session, context.person_id, given.circle_id, Action.ANSWER_CHECKIN)).member
            steps = (await safety_plan.load(session, given.circle_id)).steps
            open_draft = await drafts.current(session, person_id=context.person_id, chat_id=query.message.chat.id)
            if open_draft is None or open_draft.flow == NOTE_FLOW:  # never cut another conversation short
                await drafts.begin(
                    session,
                    person_id=context.person_id,
                    chat_id=query.message.chat.id,
                    flow=NOTE_FLOW,
                    step="note",
                    now=now,
                    data={"answer_id": given.id},
                )
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    await query.answer(_("Dank je wel!"))
    assert member is not None
    rows = [
        [
            InlineKeyboardButton(pgettext("button", "Minder"), callback_data=callbacks.encode(WORRY, given.id, "less")),
            InlineKeyboardButton(
                pgettext("button", "Even veel"), callback_data=callbacks.encode(WORRY, given.id, "same")
            ),
            InlineKeyboardButton(pgettext("button", "Meer"), callback_data=callbacks.encode(WORRY, given.id, "more")),
        ]
    ]
    text = "\n".join(
        [
            _("Dank je wel, {name}. Maak je je minder of meer zorgen dan vorige keer?").format(
                name=member.display_name
            ),
            _(
                "Wil je er iets bij vertellen? Antwoord dan op dit bericht. Het gezin leest het bij de volgende check-in."
            ),
        ]
    )
    if kind in (CheckinAnswerKind.NOT_GOOD, CheckinAnswerKind.WANT_TO_TALK):
        text += "\n\n" + _help_text(steps)
        rows.append([help_flow.show_button(given.circle_id)])  # ask someone from the plan, or the professional
    await query.message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows))


def _help_text(steps: list[safety_plan.StepView]) -> str:
    """A hard moment: the family's own plan first. Kring contacts nobody by itself."""
    lines: list[str] = [_("Fijn dat je het zegt. Ik stuur niemand zomaar een bericht.")]
    if steps:
        lines.append(_("Dit hebben jullie afgesproken voor als het misgaat:"))
        lines += [step_line(i, step) for i, step in enumerate(steps, 1)]
    else:
        lines.append(_("Wie kun je vandaag bellen of appen? Iemand die je vertrouwt, helpt vaak al."))
    lines.append(not_an_emergency_service())
    return "\n".join(lines)


async def worry_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> object:
        return await checkins.worry(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            trend=callbacks.as_enum(WorryTrend, values[1]),
            now=context.runtime.clock.now(),
        )

    if await button_action(update, context, WORRY, 2, apply) is None:
        return
    await query.answer(_("Bewaard."))
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    rest = [
        row
        for row in (markup.inline_keyboard if markup else ())  # keep "🆘 Hulp vragen"
        if not str(row[0].callback_data).startswith(WORRY + callbacks.SEPARATOR)
    ]
    await query.edit_message_reply_markup(InlineKeyboardMarkup(rest) if rest else None)


@on_text(NOTE_FLOW, waits=timedelta(hours=12))
async def note_written(update: Update, context: KringContext, text: str) -> None:
    async def save(session: AsyncSession, draft: Draft, person_id: int, note: str) -> object:
        return await checkins.add_note(
            session, draft.data["answer_id"], person_id=person_id, text=note, now=context.runtime.clock.now()
        )

    if await take_note(update, context, text, limit=checkins.MAX_NOTE, save=save) is not None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(_("Bewaard. Het gezin leest het bij de volgende check-in."))


CHECKIN_COMMAND = CircleCommand(
    "checkin",
    authz.RULES[Action.CHOOSE_CHECKIN],
    lambda: _("Alleen wie de kring regelt, kiest wanneer de check-in komt."),
    _begin,
)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("checkin", start),
        CHECKIN_COMMAND.handler(),
        CallbackQueryHandler(step_pressed, pattern=callbacks.pattern(STEP)),
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
        CallbackQueryHandler(worry_pressed, pattern=callbacks.pattern(WORRY)),
    ]
