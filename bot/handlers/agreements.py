"""/agreement (make one, step by step), the doer's answer, and /agreements (pause, resume, end,
or step back from your own)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import (
    Agreement,
    AgreementStatus,
    Draft,
    Frequency,
    Member,
    SupportKind,
    Visibility,
)
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.handlers.fallback import stale_button
from bot.handlers.flows import draft_button, on_text
from bot.i18n import _, pgettext
from bot.plan_text import (
    agreement_block,
    describe_when,
    split_messages,
    support_label,
    weekday_name,
)
from bot.runtime import KringContext
from bot.services import agreements, authz, circles, drafts
from bot.services.agreements import When
from bot.services.authz import Action, Role

FLOW = "agreement"
DECLINE_FLOW = "decline"
STEP = "agr"
ANSWER = "agq"
CONFIRM = "ags"
MANAGE = "agm"
MAKERS = frozenset({Role.COORDINATOR, Role.PROFESSIONAL})
WHEN_CHOICES = ("weekly", "biweekly", "monthly", "once", "needed")
Reply = tuple[str, InlineKeyboardMarkup | None]


def _button(text: str, draft_id: int, field: str, value: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(STEP, draft_id, field, str(value)))


def _rows(buttons: list[InlineKeyboardButton], per_row: int = 2) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


def _skip(draft_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(pgettext("button", "Overslaan"), draft_id, "skip", 1)]])


# -- making an agreement ----------------------------------------------------------------------


async def start_agreement(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(_("Een afspraak maak je in een privégesprek met mij."))
        return
    await with_circle(context, message, AGREEMENT_COMMAND)


async def _begin(context: KringContext, message: Message, circle_id: int) -> None:
    async with context.runtime.sessions.begin() as session:
        role, _member = await _maker_role(session, context, circle_id)
        if role is None or context.person_id is None:
            await message.reply_text(_("Alleen wie de kring regelt, kan afspraken maken."))
            return
        draft = await drafts.begin(
            session,
            person_id=context.person_id,
            chat_id=message.chat.id,
            flow=FLOW,
            step="doer",
            now=context.runtime.clock.now(),
            data={"circle_id": circle_id},
        )
        text, buttons = await _prompt(session, draft)
    intro = _("We maken een afspraak: wie doet wat?") + " " + _("Stoppen? Stuur /cancel.")
    await message.reply_text(intro + "\n\n" + text, reply_markup=buttons)


async def _maker_role(
    session: AsyncSession, context: KringContext, circle_id: int
) -> tuple[Role | None, Member | None]:
    for action in (Action.MAKE_AGREEMENT, Action.SUGGEST_AGREEMENT):
        try:
            access = await authz.authorize(session, context.person_id, circle_id, action)
            return access.role, access.member
        except authz.NotAllowed:
            continue
    return None, None


async def _prompt(session: AsyncSession, draft: Draft) -> Reply:
    """The question for the draft's current step."""
    data, step = draft.data, draft.step
    members = {m.id: m for m in await agreements.doers(session, data["circle_id"])}
    if step != "doer" and (
        int(data.get("doer") or 0) not in members or (data.get("backup") and int(data["backup"]) not in members)
    ):
        if data.get("agreement_id"):  # changing an agreement whose doer or backup left: start again
            raise authz.NotAllowed(Action.MANAGE_AGREEMENT)
        draft.step = step = "doer"  # someone left while this was being made: choose again
    doer = members.get(int(data.get("doer") or 0))
    name = doer.display_name if doer else "?"
    if step == "doer":
        if not members:
            return _("Er doet nog niemand mee in de kring. Eerst moet iemand van het gezin meedoen."), None
        return _("Wie doet het?"), _rows([_button(m.display_name, draft.id, "doer", m.id) for m in members.values()])
    if step == "what":
        return _("Wat gaat {name} doen? Schrijf het kort op, zoals 'boodschappen doen'.").format(name=name), None
    if step == "for_whom":
        return _("Voor wie is het? Bijvoorbeeld 'voor Sam'. Of druk op 'Overslaan'."), _skip(draft.id)
    if step == "kind":
        return _("Wat voor hulp is het?"), _rows(
            [_button(support_label(k), draft.id, "kind", k.value) for k in SupportKind], 1
        )
    if step == "when":
        labels = {
            "weekly": pgettext("button", "Elke week"),
            "biweekly": pgettext("button", "Om de week"),
            "monthly": pgettext("button", "Elke maand"),
            "once": pgettext("button", "Eén keer"),
            "needed": pgettext("button", "Als het nodig is"),
        }
        return _("Wanneer?"), _rows([_button(labels[c], draft.id, "when", c) for c in WHEN_CHOICES])
    if step == "weekday":
        return _("Op welke dag?"), _rows([_button(weekday_name(d), draft.id, "day", d) for d in range(7)], 3)
    if step == "day_of_month":
        return _("Op welke dag van de maand? Schrijf een getal van 1 tot 28."), None
    if step == "date":
        return _("Op welke dag? Schrijf bijvoorbeeld 12-12."), None
    if step == "time":
        return _("Hoe laat? Schrijf bijvoorbeeld 15:00."), None
    if step == "backup":
        others = [
            _button(m.display_name, draft.id, "backup", m.id)
            for m in members.values()
            if m.id != (doer.id if doer else 0)
        ]
        others.append(_button(pgettext("button", "Niemand"), draft.id, "backup", 0))
        return _("Wie springt in als het {name} een keer niet lukt?").format(name=name), _rows(others)
    if step == "visibility":
        return _("Wie mag deze afspraak zien?"), _rows(
            [
                _button(pgettext("button", "Iedereen in de kring"), draft.id, "visibility", Visibility.CIRCLE.value),
                _button(
                    _("Alleen het gezin en {name}").format(name=name),
                    draft.id,
                    "visibility",
                    Visibility.FAMILY_AND_DOER.value,
                ),
            ],
            1,
        )
    summary = _summary(data, members)
    return summary, InlineKeyboardMarkup(
        [
            [
                _button(pgettext("button", "Opslaan"), draft.id, "save", 1),
                _button(pgettext("button", "Stop"), draft.id, "stop", 1),
            ]
        ]
    )


def _summary(data: dict[str, Any], members: dict[int, Member]) -> str:
    when = When.from_data(data)
    lines = [_("Klopt dit?"), f"{members[int(data['doer'])].display_name}: {data['what']}"]
    if data.get("for_whom"):
        lines.append(_("(voor {name})").format(name=data["for_whom"]))
    lines.append(f"{support_label(SupportKind(data['kind']))} · {describe_when(when)}")
    backup = members.get(int(data.get("backup") or 0))
    if backup is not None:
        lines.append(_("Als het niet lukt: {name}").format(name=backup.display_name))
    lines.append(
        _("Iedereen in de kring ziet dit.")
        if data["visibility"] == Visibility.CIRCLE.value
        else _("Alleen het gezin en {name} zien dit.").format(name=members[int(data["doer"])].display_name)
    )
    return "\n".join(lines)


@on_text(FLOW)
async def typed(update: Update, context: KringContext, text: str) -> None:
    message = update.effective_message
    assert message is not None and context.person_id is not None
    runtime = context.runtime
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        draft = await drafts.current(session, person_id=context.person_id, chat_id=message.chat.id)
        assert draft is not None
        problem = _take_text(draft, text, now, today=now.astimezone(runtime.settings.timezone).date())
        try:
            reply = (problem, None) if problem else await _prompt(session, draft)
        except authz.NotAllowed:
            await drafts.finish(session, draft)
            reply = (_("Deze afspraak is al veranderd. Er is niets aangepast."), None)
    await message.reply_text(reply[0], reply_markup=reply[1])


def _take_text(draft: Draft, text: str, now: Any, *, today: Any) -> str | None:
    """Store a typed answer and move on; returns what is wrong with it instead, if anything."""
    step = draft.step
    if step == "what":
        what = circles.clean_name(text, agreements.MAX_WHAT)
        if what is None:
            return _("Dat is te lang. Gebruik hoogstens {count} tekens.").format(count=agreements.MAX_WHAT)
        drafts.advance(draft, "for_whom", now=now, what=what)
    elif step == "for_whom":
        for_whom = circles.clean_name(text, agreements.MAX_FOR_WHOM)
        if for_whom is None:
            return _("Dat is te lang. Gebruik hoogstens {count} tekens.").format(count=agreements.MAX_FOR_WHOM)
        drafts.advance(draft, "kind", now=now, for_whom=for_whom)
    elif step == "day_of_month":
        day = text.strip()
        if not (day.isdigit() and 1 <= int(day) <= 28):
            return _("Schrijf een getal van 1 tot 28.")
        drafts.advance(draft, "time", now=now, day_of_month=int(day))
    elif step == "date":
        on = agreements.parse_date(text, today)
        if on is None:
            return _("Dat is geen dag die ik ken. Schrijf bijvoorbeeld 12-12.")
        drafts.advance(draft, "time", now=now, on_date=on.isoformat())
    elif step == "time":
        at = agreements.parse_time(text)
        if at is None:
            return _("Dat is geen tijd die ik ken. Schrijf bijvoorbeeld 15:00.")
        drafts.advance(draft, "backup", now=now, at_time=at)
    else:
        return _("Kies een van de knoppen hierboven. Stoppen? Stuur /cancel.")
    return None


async def step_pressed(update: Update, context: KringContext) -> None:
    await draft_button(update, context, STEP, FLOW, _press)


async def _press(context: KringContext, session: AsyncSession, draft: Draft, field: str, value: str) -> Reply | None:
    runtime = context.runtime
    now = runtime.clock.now()
    circle_id = draft.data["circle_id"]
    role, _member = await _maker_role(session, context, circle_id)
    if role is None:
        return None
    doer_ids = {m.id for m in await agreements.doers(session, circle_id)}
    step = draft.step
    if field == "stop":
        await drafts.finish(session, draft)
        return _("Gestopt. Er is niets bewaard."), None
    if step == "doer" and field == "doer" and callbacks.as_int(value) in doer_ids:
        drafts.advance(draft, "what", now=now, doer=callbacks.as_int(value))
    elif step == "for_whom" and field == "skip":
        drafts.advance(draft, "kind", now=now, for_whom=None)
    elif step == "kind" and field == "kind" and value in {k.value for k in SupportKind}:
        drafts.advance(draft, "when", now=now, kind=value)
    elif step == "when" and field == "when" and value in WHEN_CHOICES:
        next_step, rhythm = _when_choice(value)
        drafts.advance(draft, next_step, now=now, **rhythm)
    elif step == "weekday" and field == "day" and value.isdigit() and 0 <= callbacks.as_int(value) <= 6:
        drafts.advance(draft, "time", now=now, weekday=callbacks.as_int(value))
    elif (
        step == "backup"
        and field == "backup"
        and (value == "0" or callbacks.as_int(value) in doer_ids - {draft.data["doer"]})
    ):
        drafts.advance(draft, "visibility", now=now, backup=callbacks.as_int(value) or None)
    elif step == "visibility" and field == "visibility" and value in {v.value for v in Visibility}:
        drafts.advance(draft, "confirm", now=now, visibility=value)
    elif step == "confirm" and field == "save":
        return await _save(session, context, draft, role)
    else:
        return None
    return await _prompt(session, draft)


def _when_choice(value: str) -> tuple[str, dict[str, Any]]:
    steps: dict[str, tuple[str, dict[str, Any]]] = {
        "weekly": ("weekday", {"frequency": Frequency.WEEKLY.value, "interval": 1}),
        "biweekly": ("weekday", {"frequency": Frequency.WEEKLY.value, "interval": 2}),
        "monthly": ("day_of_month", {"frequency": Frequency.MONTHLY.value, "interval": 1}),
        "once": ("date", {"frequency": Frequency.ONCE.value, "interval": 1}),
        "needed": ("backup", {"frequency": "needed"}),
    }
    step, data = steps[value]
    return step, data


async def _save(session: AsyncSession, context: KringContext, draft: Draft, role: Role) -> Reply:
    data = draft.data
    assert context.person_id is not None
    if data.get("agreement_id"):
        changed = await agreements.update(
            session,
            int(data["agreement_id"]),
            person_id=context.person_id,
            what=data["what"],
            for_whom=data.get("for_whom"),
            support_kind=SupportKind(data["kind"]),
            when=When.from_data(data),
            backup_member_id=data.get("backup"),
            visibility=Visibility(data["visibility"]),
            now=context.runtime.clock.now(),
        )
        await drafts.finish(session, draft)
        view = await agreements.view(session, changed)
        return _("Aangepast. Zo staat het nu in het plan:") + "\n\n" + agreement_block(view), None
    agreement = await agreements.make(
        session,
        data["circle_id"],
        person_id=context.person_id,
        doer_member_id=int(data["doer"]),
        what=data["what"],
        for_whom=data.get("for_whom"),
        support_kind=SupportKind(data["kind"]),
        when=When.from_data(data),
        backup_member_id=data.get("backup"),
        visibility=Visibility(data["visibility"]),
        now=context.runtime.clock.now(),
    )
    await drafts.finish(session, draft)
    view = await agreements.view(session, agreement)
    if agreement.status == AgreementStatus.SUGGESTED:
        return _("Bewaard als voorstel. Iemand die de kring regelt, kijkt of het goed is."), None
    if agreement.status == AgreementStatus.ACTIVE:
        return _("Bewaard. De afspraak staat nu in het plan. Bekijk het met /plan."), None
    return _("Bewaard. Ik vraag {name} of dat goed is.").format(name=view.doer.display_name), None


# -- answers on delivered messages ------------------------------------------------------------


def answer_buttons(agreement_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    pgettext("button", "Ja, dat doe ik"), callback_data=callbacks.encode(ANSWER, agreement_id, "yes")
                ),
                InlineKeyboardButton(
                    pgettext("button", "Liever anders"), callback_data=callbacks.encode(ANSWER, agreement_id, "no")
                ),
            ]
        ]
    )


def confirm_buttons(agreement_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    pgettext("button", "Goedkeuren"), callback_data=callbacks.encode(CONFIRM, agreement_id, "yes")
                ),
                InlineKeyboardButton(
                    pgettext("button", "Niet doen"), callback_data=callbacks.encode(CONFIRM, agreement_id, "no")
                ),
            ]
        ]
    )


async def answer_pressed(update: Update, context: KringContext) -> None:
    """The doer answers. "Liever anders" privately first asks for an optional reason."""
    query = update.callback_query
    assert query is not None
    if not isinstance(query.message, Message):
        await stale_button(update, context)
        return
    runtime = context.runtime
    now = runtime.clock.now()
    private = query.message.chat.type == ChatType.PRIVATE
    try:
        agreement_id, choice = callbacks.decode(query.data, ANSWER, 2)
        if choice not in ("yes", "no", "skip") or context.person_id is None:
            raise callbacks.BadCallbackData(query.data)
        async with runtime.sessions.begin() as session:
            if choice == "no" and private:
                await _check_doer(session, context.person_id, callbacks.as_int(agreement_id))
                draft = await drafts.begin(
                    session,
                    person_id=context.person_id,
                    chat_id=query.message.chat.id,
                    flow=DECLINE_FLOW,
                    step="reason",
                    now=now,
                    data={"agreement_id": callbacks.as_int(agreement_id)},
                )
                text: str = _(
                    "Goed dat je het zegt. Wil je vertellen waarom? Schrijf het kort op. Of druk op 'Overslaan'."
                )
                buttons = InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                pgettext("button", "Overslaan"),
                                callback_data=callbacks.encode(ANSWER, draft.data["agreement_id"], "skip"),
                            )
                        ]
                    ]
                )
            else:
                if choice == "skip":
                    finished = await drafts.current(session, person_id=context.person_id, chat_id=query.message.chat.id)
                    if finished is not None and finished.flow == DECLINE_FLOW:
                        await drafts.finish(session, finished)
                agreement = await agreements.answer(
                    session,
                    callbacks.as_int(agreement_id),
                    person_id=context.person_id,
                    accept=choice == "yes",
                    reason=None,
                    now=now,
                )
                text, buttons = _answered(agreement.status == AgreementStatus.ACTIVE), None
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    await query.answer()
    await query.edit_message_text(text, reply_markup=buttons)


def _answered(accepted: bool) -> str:
    if accepted:
        return _("Dank je wel! De afspraak staat nu in het plan. Het gezin weet het.")
    return _("Dank je wel voor je eerlijke antwoord. Het gezin weet het.")


async def _check_doer(session: AsyncSession, person_id: int, agreement_id: int) -> None:
    agreement = await session.get(Agreement, agreement_id)
    if agreement is None or agreement.status != AgreementStatus.PROPOSED:
        raise authz.NotAllowed(Action.ANSWER_AGREEMENT)
    access = await authz.authorize(session, person_id, agreement.circle_id, Action.ANSWER_AGREEMENT)
    if access.member is None or access.member.id != agreement.doer_member_id:
        raise authz.NotAllowed(Action.ANSWER_AGREEMENT)


@on_text(DECLINE_FLOW)
async def reason_typed(update: Update, context: KringContext, text: str) -> None:
    message = update.effective_message
    assert message is not None and context.person_id is not None
    reason = circles.clean_name(text, agreements.MAX_WHAT)
    if reason is None:
        await message.reply_text(
            _("Dat is te lang. Gebruik hoogstens {count} tekens.").format(count=agreements.MAX_WHAT)
        )
        return
    runtime = context.runtime
    async with runtime.sessions.begin() as session:
        draft = await drafts.current(session, person_id=context.person_id, chat_id=message.chat.id)
        assert draft is not None
        agreement_id = int(draft.data["agreement_id"])
        await drafts.finish(session, draft)
        try:
            await agreements.answer(
                session, agreement_id, person_id=context.person_id, accept=False, reason=reason, now=runtime.clock.now()
            )
        except authz.NotAllowed:
            await message.reply_text(_("Deze afspraak is al veranderd. Er is niets aangepast."))
            return
    await message.reply_text(_answered(False))


async def confirm_pressed(update: Update, context: KringContext) -> None:
    """A coordinator confirms (or not) what the professional suggested."""
    query = update.callback_query
    assert query is not None
    try:
        agreement_id, choice = callbacks.decode(query.data, CONFIRM, 2)
        if choice not in ("yes", "no") or context.person_id is None:
            raise callbacks.BadCallbackData(query.data)
        async with context.runtime.sessions.begin() as session:
            agreement = await agreements.confirm_suggestion(
                session,
                callbacks.as_int(agreement_id),
                person_id=context.person_id,
                accept=choice == "yes",
                now=context.runtime.clock.now(),
            )
            view = await agreements.view(session, agreement)
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    await query.answer()
    text = (
        _("Goedgekeurd. Ik vraag {name} of dat goed is.").format(name=view.doer.display_name)
        if agreement.status == AgreementStatus.PROPOSED
        else _("Goedgekeurd. De afspraak staat nu in het plan.")
        if agreement.status == AgreementStatus.ACTIVE
        else _("Dit voorstel gaat niet door.")
    )
    await query.edit_message_text(text)


# -- /agreements: change what is agreed --------------------------------------------------------


async def list_agreements(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, AGREEMENTS_COMMAND)


async def _show_agreements(context: KringContext, message: Message, circle_id: int) -> None:
    async with context.runtime.sessions() as session:
        try:
            access = await authz.authorize(session, context.person_id, circle_id, Action.VIEW_PLAN)
        except authz.NotAllowed:
            await message.reply_text(_("Je doet nog niet mee in een kring."))
            return
        views = await agreements.visible_to(session, access)
    if message.chat.type != ChatType.PRIVATE:  # the group reads along: shared ones, no buttons, one message
        views = [v for v in views if v.agreement.visibility == Visibility.CIRCLE]
        blocks = [agreement_block(v) for v in views] or [_("Er zijn nog geen afspraken.")]
        for text in split_messages([*blocks, _("Aanpassen doe je privé met /agreements.")]):
            await message.reply_text(text)
        return
    if not views:
        await message.reply_text(_("Er zijn nog geen afspraken."))
        return
    for view in views:
        await message.reply_text(agreement_block(view), reply_markup=_manage_buttons(view, access))


async def _begin_edit(context: KringContext, message: Message, agreement_id: int) -> None:
    """Change an agreement with the same steps as making one, starting at "what"."""
    async with context.runtime.sessions.begin() as session:
        agreement = await session.get(Agreement, agreement_id)
        if agreement is None or agreement.status in (AgreementStatus.ENDED, AgreementStatus.DECLINED):
            raise authz.NotAllowed(Action.MANAGE_AGREEMENT)
        await authz.authorize(session, context.person_id, agreement.circle_id, Action.MANAGE_AGREEMENT)
        assert context.person_id is not None
        view = await agreements.view(session, agreement)
        draft = await drafts.begin(
            session,
            person_id=context.person_id,
            chat_id=message.chat.id,
            flow=FLOW,
            step="what",
            now=context.runtime.clock.now(),
            data={"circle_id": agreement.circle_id, "agreement_id": agreement.id, "doer": agreement.doer_member_id},
        )
        text, buttons = await _prompt(session, draft)
    intro = _("Je past deze afspraak aan:") + "\n" + agreement_block(view) + "\n\n" + _("Stoppen? Stuur /cancel.")
    await message.reply_text(intro + "\n\n" + text, reply_markup=buttons)


def _manage_buttons(view: agreements.AgreementView, access: authz.Access) -> InlineKeyboardMarkup | None:
    status, agreement_id = view.agreement.status, view.agreement.id

    def button(text: str, change: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text, callback_data=callbacks.encode(MANAGE, agreement_id, change))

    buttons = []
    is_doer = access.member is not None and view.doer.id == access.member.id
    if is_doer and status == AgreementStatus.PROPOSED:
        return answer_buttons(agreement_id)
    if access.role == Role.COORDINATOR:
        if status in (AgreementStatus.ACTIVE, AgreementStatus.PAUSED, AgreementStatus.PROPOSED):
            buttons.append(button(pgettext("button", "Aanpassen"), "edit"))
        if status == AgreementStatus.ACTIVE:
            buttons.append(button(pgettext("button", "Even stilzetten"), "pause"))
        if status == AgreementStatus.PAUSED:
            buttons.append(button(pgettext("button", "Weer starten"), "resume"))
        buttons.append(button(pgettext("button", "Stoppen"), "end"))
    elif is_doer and status in (AgreementStatus.ACTIVE, AgreementStatus.PAUSED):
        buttons.append(button(pgettext("button", "Ik stop hiermee"), "back"))
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def manage_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    try:
        agreement_id, change = callbacks.decode(query.data, MANAGE, 2)
        if change not in ("pause", "resume", "end", "back", "edit") or context.person_id is None:
            raise callbacks.BadCallbackData(query.data)
        if change == "edit":
            if not isinstance(query.message, Message) or query.message.chat.type != ChatType.PRIVATE:
                raise authz.NotAllowed(Action.MANAGE_AGREEMENT)  # typed answers only arrive privately
            await _begin_edit(context, query.message, callbacks.as_int(agreement_id))
            await query.answer()
            return
        async with runtime.sessions.begin() as session:
            if change == "back":
                agreement = await agreements.step_back(
                    session, callbacks.as_int(agreement_id), person_id=context.person_id, now=runtime.clock.now()
                )
            else:
                agreement = await agreements.change(
                    session,
                    callbacks.as_int(agreement_id),
                    person_id=context.person_id,
                    change=change,
                    now=runtime.clock.now(),
                )
            view = await agreements.view(session, agreement)
            access = await authz.authorize(session, context.person_id, agreement.circle_id, Action.VIEW_PLAN)
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    await query.answer()
    if agreement.status == AgreementStatus.ENDED:
        await query.edit_message_text(_("Gestopt: {what}").format(what=agreement.what))
    else:
        await query.edit_message_text(agreement_block(view), reply_markup=_manage_buttons(view, access))


AGREEMENT_COMMAND = CircleCommand(
    "agreement", MAKERS, lambda: _("Alleen wie de kring regelt, kan afspraken maken."), _begin
)
AGREEMENTS_COMMAND = CircleCommand(
    "agreements", authz.RULES[Action.VIEW_PLAN], lambda: _("Je doet nog niet mee in een kring."), _show_agreements
)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("agreement", start_agreement),
        AGREEMENT_COMMAND.handler(),
        CommandHandler("agreements", list_agreements),
        AGREEMENTS_COMMAND.handler(),
        CallbackQueryHandler(step_pressed, pattern=callbacks.pattern(STEP)),
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
        CallbackQueryHandler(confirm_pressed, pattern=callbacks.pattern(CONFIRM)),
        CallbackQueryHandler(manage_pressed, pattern=callbacks.pattern(MANAGE)),
    ]
