"""/contact: a family member asks the former professional for contact — only on request, and
only after confirming. The professional answers with a tap (and, if they like, a few words). If no
answer comes in time, the asker is told plainly, with the organisation's contact details."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import (
    Circle,
    ContactRequest,
    ContactRequestStatus,
    Delivery,
    Draft,
    Member,
    Professional,
    ProfessionalStatus,
    Urgency,
)
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.handlers.fallback import stale_button
from bot.handlers.flows import StepReply, button_action, draft_button, on_text
from bot.handlers.help_flow import CONTACT
from bot.i18n import _, format_datetime, pgettext
from bot.runtime import KringContext
from bot.services import authz, contact, drafts
from bot.services.authz import Action
from bot.texts import not_an_emergency_service, organisation_contact
from scheduler.sender import Rendered

FLOW = "contact"
STEP = "cs"  # cs:draft_id:field:value
ANSWER = "ca"  # ca:request_id:answer — the professional answers
ANSWER_FLOW = "contact_answer"


def _network_refusal() -> str:
    return "\n".join(
        [
            _(
                "Contact met de hulpverlener via Kring kan alleen het gezin. Maak je je zorgen? Praat erover met het gezin."
            ),
            _("Ben je bang dat iemand niet veilig is? Bel Veilig Thuis: 0800-2000. Is er direct gevaar? Bel 112."),
        ]
    )


def urgency_label(urgency: Urgency | str) -> str:
    return pgettext("button", "Vandaag") if Urgency(urgency) == Urgency.TODAY else pgettext("button", "Deze week")


def _ended() -> str:
    return "\n".join(
        [
            _("De begeleiding door de hulpverlener is voorbij. Jullie kunnen de organisatie nog wel bellen."),
            organisation_contact(),
            "",
            not_an_emergency_service(),
        ]
    )


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, CONTACT_COMMAND)


async def begin(context: KringContext, message: Message, circle_id: int) -> None:
    runtime = context.runtime
    async with runtime.sessions.begin() as session:
        try:
            _access, professional = await contact.check_can_ask(
                session, circle_id, person_id=context.person_id, now=runtime.clock.now()
            )
        except authz.NotAllowed:
            await message.reply_text(_network_refusal())
            return
        except contact.NoFollowUp:
            await message.reply_text(_ended())
            return
        assert context.person_id is not None
        draft = await drafts.begin(
            session,
            person_id=context.person_id,
            chat_id=message.chat.id,
            flow=FLOW,
            step="urgency",
            now=runtime.clock.now(),
            data={"circle_id": circle_id, "professional": professional.name},
        )
        draft_id, name = draft.id, professional.name
    buttons = InlineKeyboardMarkup([[_button(urgency_label(u), draft_id, "urgency", u.value) for u in Urgency]])
    await message.reply_text(
        _(
            "Je vraagt {name} om contact. {name} krijgt je vraag pas als je op 'Versturen' drukt. Hoe snel is het nodig?"
        ).format(name=name),
        reply_markup=buttons,
    )


def _button(text: str, draft_id: int, field: str, value: str = "0") -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(STEP, draft_id, field, value))


async def from_help(update: Update, context: KringContext) -> None:
    """The 📞 button in the /askhelp view."""
    query = update.callback_query
    assert query is not None
    try:
        (target,) = callbacks.decode_ints(query.data, CONTACT, 1)
        if not isinstance(query.message, Message):
            raise callbacks.BadCallbackData(query.data)
        async with context.runtime.sessions() as session:
            access = await authz.authorize(session, context.person_id, target, Action.CONTACT_PROFESSIONAL)
        if query.message.chat.type != ChatType.PRIVATE and query.message.chat.id != access.circle.group_chat_id:
            raise authz.NotAllowed(Action.CONTACT_PROFESSIONAL)  # a button carried into another group
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    await query.answer()
    await begin(context, query.message, target)


async def step_pressed(update: Update, context: KringContext) -> None:
    await draft_button(update, context, STEP, FLOW, _press)


async def _press(
    context: KringContext, session: AsyncSession, draft: Draft, field: str, value: str
) -> StepReply | None:
    now = context.runtime.clock.now()
    if field == "urgency" and draft.step == "urgency" and value in {u.value for u in Urgency}:
        drafts.advance(draft, "message", now=now, urgency=value)
        ask = _("Wil je er kort iets bij schrijven? Stuur het nu als antwoord op dit bericht. Of druk op 'Overslaan'.")
        return ask, InlineKeyboardMarkup([[_button(pgettext("button", "Overslaan"), draft.id, "skip")]])
    if field == "skip" and draft.step == "message":
        drafts.advance(draft, "confirm", now=now, message=None)
        return _confirmation(draft)
    if field == "send" and draft.step == "confirm":
        assert context.person_id is not None
        asked = await contact.request(
            session,
            draft.data["circle_id"],
            person_id=context.person_id,
            urgency=Urgency(draft.data["urgency"]),
            message=draft.data.get("message"),
            private=draft.chat_id > 0,
            now=now,
        )  # private chats have positive ids
        await drafts.finish(session, draft)
        circle = await session.get_one(Circle, asked.circle_id)
        due = format_datetime(asked.answer_due_at, _tz(circle), format="EEEE d MMMM HH:mm")
        return _(
            "Verstuurd. {name} weet nu dat je contact wilt. Heb je voor {due} niets gehoord? Dan laat ik het je weten."
        ).format(name=draft.data["professional"], due=due), None
    if field == "stop":
        await drafts.finish(session, draft)
        return _("Gestopt. Er is niets verstuurd."), None
    return None


def _tz(circle: Circle) -> ZoneInfo:
    return ZoneInfo(circle.time_zone)


def _confirmation(draft: Draft) -> StepReply:
    lines = [
        _("Klopt dit?"),
        _("Aan: {name}").format(name=draft.data["professional"]),
        _("Hoe snel: {urgency}").format(urgency=urgency_label(draft.data["urgency"])),
    ]
    if draft.data.get("message"):
        lines.append(_("Bericht: {text}").format(text=draft.data["message"]))
    buttons = InlineKeyboardMarkup(
        [
            [
                _button("✉️ " + pgettext("button", "Versturen"), draft.id, "send"),
                _button(pgettext("button", "Stoppen"), draft.id, "stop"),
            ]
        ]
    )
    return "\n".join(lines), buttons


@on_text(FLOW)
async def message_written(update: Update, context: KringContext, text: str) -> None:
    message = update.effective_message
    assert message is not None and context.person_id is not None
    runtime = context.runtime
    async with runtime.sessions.begin() as session:
        draft = await drafts.current(session, person_id=context.person_id, chat_id=message.chat.id)
        assert draft is not None
        if draft.step != "message":
            reply: StepReply = (_("Kies een van de knoppen hierboven. Stoppen? Stuur /cancel."), None)
        elif len(text.strip()) > contact.MAX_MESSAGE:
            reply = (_("Dat is te lang. Gebruik hoogstens {count} tekens.").format(count=contact.MAX_MESSAGE), None)
        else:
            drafts.advance(draft, "confirm", now=runtime.clock.now(), message=text.strip())
            reply = _confirmation(draft)
    await message.reply_text(reply[0], reply_markup=reply[1])


# -- the professional's side ------------------------------------------------------------------


async def answer_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    now = context.runtime.clock.now()

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> str:
        if not isinstance(message, Message) or message.chat.type != ChatType.PRIVATE:
            raise authz.NotAllowed(Action.ANSWER_CONTACT)
        asked = await contact.answer(
            session, callbacks.as_int(values[0]), person_id=person_id, answer=values[1], now=now
        )
        await drafts.begin(
            session,
            person_id=person_id,
            chat_id=message.chat.id,
            flow=ANSWER_FLOW,
            step="text",
            now=now,
            data={"request_id": asked.id},
        )
        circle = await session.get_one(Circle, asked.circle_id)
        asker = await session.get_one(Member, asked.asked_by_member_id)
        return (
            _("de groep van {circle}").format(circle=circle.name)
            if not asked.private and circle.group_chat_id
            else _("alleen {name}").format(name=asker.display_name)
        )

    readers = await button_action(update, context, ANSWER, 2, apply)
    if readers is None or not isinstance(message, Message):
        return
    await query.answer()
    await query.edit_message_text(
        (message.text or "")
        + "\n\n"
        + _(
            "Je antwoord is verstuurd. Wil je er nog iets bij schrijven? Dat leest {readers}. "
            "Stuur het binnen een uur. Of stuur /cancel."
        ).format(readers=readers)
    )


@on_text(ANSWER_FLOW, waits=timedelta(hours=1))
async def answer_written(update: Update, context: KringContext, text: str) -> None:
    message = update.effective_message
    assert message is not None and context.person_id is not None
    runtime = context.runtime
    if len(text.strip()) > contact.MAX_MESSAGE:
        await message.reply_text(
            _("Dat is te lang. Gebruik hoogstens {count} tekens.").format(count=contact.MAX_MESSAGE)
        )
        return
    async with runtime.sessions.begin() as session:
        draft = await drafts.current(session, person_id=context.person_id, chat_id=message.chat.id)
        assert draft is not None
        await drafts.finish(session, draft)
        try:
            await contact.add_answer_text(
                session,
                draft.data["request_id"],
                person_id=context.person_id,
                text=text.strip(),
                now=runtime.clock.now(),
            )
        except authz.NotAllowed:
            await message.reply_text(_("Dit kan ik niet meer doorsturen. De begeleiding is voorbij."))
            return
    await message.reply_text(_("Verstuurd."))


async def _request_of(
    session: AsyncSession, delivery: Delivery
) -> tuple[ContactRequest, Circle, Member, Professional] | None:
    """The request a delivery is about, with its circle, asker and professional (``None``: gone)."""
    asked = await session.get(ContactRequest, delivery.payload.get("request_id"))
    if asked is None:
        return None
    professional = await session.get(Professional, asked.professional_id) if asked.professional_id else None
    if professional is None:
        return None
    return (
        asked,
        await session.get_one(Circle, asked.circle_id),
        await session.get_one(Member, asked.asked_by_member_id),
        professional,
    )


async def request_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await _request_of(session, delivery)
    if found is None or found[0].status != ContactRequestStatus.OPEN:
        return None
    asked, circle, asker, professional = found
    if professional.status != ProfessionalStatus.ACTIVE or professional.person_id != delivery.person_id:
        return None  # removed since: the asker hears it when the answer time is up
    lines = [
        "📞 " + _("Vraag om contact: {circle}").format(circle=circle.name),
        _("Van: {name}").format(name=asker.display_name),
        _("Hoe snel: {urgency}").format(urgency=urgency_label(asked.urgency)),
    ]
    if asked.message:
        lines.append(_("Bericht: {text}").format(text=asked.message))
    lines.append(
        _("Graag een antwoord voor {due}.").format(
            due=format_datetime(asked.answer_due_at, _tz(circle), format="EEEE d MMMM HH:mm")
        )
    )
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    pgettext("button", "Ik bel vandaag"), callback_data=callbacks.encode(ANSWER, asked.id, "today")
                )
            ],
            [
                InlineKeyboardButton(
                    pgettext("button", "Ik reageer deze week"),
                    callback_data=callbacks.encode(ANSWER, asked.id, "this_week"),
                )
            ],
        ]
    )
    return Rendered("\n".join(lines), buttons)


async def answer_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await _request_of(session, delivery)
    if found is None:
        return None
    asked, _circle, asker, professional = found
    promise = _("Ik bel je vandaag.") if asked.answer == "today" else _("Ik reageer deze week.")
    return Rendered(
        "📞 "
        + _("{name} antwoordt {asker}: {promise}").format(
            name=professional.name, asker=asker.display_name, promise=promise
        )
    )


async def answer_text_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await _request_of(session, delivery)
    if found is None or not found[0].answer_text:
        return None
    return Rendered("📞 " + _("{name} schrijft: {text}").format(name=found[3].name, text=found[0].answer_text))


async def timeout_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    """Never silently lost: no answer in time, so the asker hears it and gets other ways."""
    found = await _request_of(session, delivery)
    if found is None or found[0].answered_at is not None:
        return None
    asked, _circle, asker, professional = found
    asked.status = ContactRequestStatus.TIMED_OUT  # (rendered again after a failed send: still told)
    name = professional.name if professional else _("de hulpverlener")
    return Rendered(
        "\n".join(
            [
                _(
                    "{asker}, {name} heeft nog niet gereageerd op je vraag om contact. Dat is vervelend. Bel zelf even:"
                ).format(asker=asker.display_name, name=name),
                organisation_contact(),
                "",
                not_an_emergency_service(),
            ]
        )
    )


CONTACT_COMMAND = CircleCommand("contact", authz.RULES[Action.CONTACT_PROFESSIONAL], _network_refusal, begin)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("contact", start),
        CONTACT_COMMAND.handler(),
        CallbackQueryHandler(from_help, pattern=callbacks.pattern(CONTACT)),
        CallbackQueryHandler(step_pressed, pattern=callbacks.pattern(STEP)),
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
    ]
