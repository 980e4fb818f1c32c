"""/mydata and /forget: a person's own data, as documents; erasing oneself; dissolving a circle.

Both only in a private chat: a group is no place for someone's data or for a decision like this.
Erasing is two steps: what will happen, then "yes". Nothing is erased before that second tap."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import Delivery, Draft, Person
from bot.handlers import network_checkins
from bot.handlers.flows import StepReply, draft_button
from bot.i18n import _, format_datetime, language_name, pgettext
from bot.runtime import KringContext
from bot.services import authz, circles, consent, drafts, erasure, my_data, people
from bot.services.authz import Action
from bot.services.consent import Consent
from bot.texts import answer_labels
from scheduler.sender import Rendered

FLOW = "forget"
STEP = "fg"  # fg:draft_id:field:value


async def _private_only(update: Update, command: str) -> bool:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(
            _("Dit doe je in een privégesprek met mij. Stuur mij daar /{command}.").format(command=command)
        )
        return False
    return True


# -- /mydata ----------------------------------------------------------------------------------


async def my_data_command(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None and message.from_user is not None
    if not await _private_only(update, "mydata"):
        return
    async with context.runtime.sessions() as session:
        person = await people.find(session, message.from_user.id)
        data = await my_data.collect(session, person) if person is not None else None
    if data is None:
        await message.reply_text(_("Ik bewaar nog niets over jou."))
        return
    stamp = context.runtime.clock.now().strftime("%Y-%m-%d")
    await message.reply_text(
        _("Dit is alles wat Kring over jou bewaart. Eén bestand om te lezen, en één voor een computer (JSON).")
    )
    tz = ZoneInfo(data["person"]["time_zone"]) if data["person"]["time_zone"] else context.runtime.settings.timezone
    await message.reply_document(readable(data, tz).encode("utf-8"), filename=f"kring-{stamp}.txt")
    await message.reply_document(
        json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), filename=f"kring-{stamp}.json"
    )


def readable(data: dict[str, Any], tz: ZoneInfo) -> str:
    """The same data, in the reader's language and time zone, for a person (not a computer)."""
    person = data["person"]

    def when(value: str | None) -> str:
        return format_datetime(datetime.fromisoformat(value), tz=tz, format="short") if value else "-"

    def said(note: str | None) -> str:
        return f" — “{note}”" if note else ""

    roles = {"family": _("gezin"), "network": _("netwerk")}
    statuses = {"active": _("doet mee"), "invited": _("uitgenodigd"), "declined": _("zei nee"), "left": _("gestopt")}
    agreement_statuses = {
        "suggested": _("voorgesteld"),
        "proposed": _("gevraagd"),
        "active": _("loopt"),
        "paused": _("staat stil"),
        "ended": _("gestopt"),
        "declined": _("zei nee"),
    }
    answers = {kind.value: label for kind, label in answer_labels().items()}
    contact = {kind.value: word for kind, word in network_checkins.contact_words().items()}
    feelings = {kind.value: label for kind, label in network_checkins.feeling_labels().items()}
    consents = {
        Consent.JOINED: _("Meedoen in de kring"),
        Consent.PULSE: _("Een korte stand voor de hulpverlener"),
        Consent.VISIBILITY: _("Wie een afspraak mag zien"),
        Consent.NETWORK_ANSWERS: _("Het gezin ziet je check-in"),
        Consent.NETWORK_NOTE: _("Het gezin leest je notitie"),
    }
    lines = [
        _("Wat Kring over jou bewaart"),
        "",
        _("Je Telegram-nummer: {id}. Je taal: {language}. Je tijdzone: {zone}.").format(
            id=person["telegram_user_id"], language=language_name(person["language"]), zone=str(tz)
        ),
    ]
    if data["professional"]:
        lines.append(_("Je bent aangemeld als hulpverlener: {name}.").format(name=data["professional"]["name"]))
    given = [(e["at"], consent.parse(e["action"])) for e in data["events"]]
    sections: list[tuple[str, list[str]]] = [
        (
            _("Kringen"),
            [
                _("{circle}: je naam daar is {name} ({role}, {status}).").format(
                    circle=c["circle"],
                    name=c["display_name"],
                    role=roles.get(c["role"], c["role"]),
                    status=statuses.get(c["status"], c["status"]),
                )
                for c in data["circles"]
            ],
        ),
        (
            _("Afspraken"),
            [f"{a['what']} ({agreement_statuses.get(a['status'], a['status'])})" for a in data["agreements"]],
        ),
        (
            _("Je antwoorden op de check-ins"),
            [
                f"{when(a['answered_at'])}: {answers.get(a['answer'], a['answer'])}{said(a['note'])}"
                for a in data["checkin_answers"]
            ],
        ),
        (
            _("Je eigen check-ins"),
            [
                f"{when(n['occurs_at'])}: "
                + (
                    f"{contact.get(n['had_contact'], '-')}, {feelings.get(n['feeling'], '-')}{said(n['note'])}"
                    if n["had_contact"] or n["feeling"]
                    else _("geen antwoord")
                )
                for n in data["network_checkins"]
            ],
        ),
        (
            _("Vragen om contact met de hulpverlener"),
            [f"{when(r['created_at'])}{said(r['message'])}" for r in data["contact_requests"]],
        ),
        (_("Hulpvragen"), [when(h["created_at"]) for h in data["help_asks"]]),
        (
            _("Waar je toestemming voor gaf, of niet meer"),
            [
                f"{when(at)}: {consents[parsed[0]]}: {_('ja') if parsed[1] else _('nee')}"
                for at, parsed in given
                if parsed
            ],
        ),
        (
            _("Wat je deed (de namen die Kring daarvoor gebruikt)"),
            [f"{when(e['at'])}: {e['action']}" for e in data["events"] if not consent.parse(e["action"])],
        ),
    ]
    for title, items in sections:
        if items:
            lines += ["", title + ":"] + [f"• {item}" for item in items]
    return "\n".join(lines) + "\n"


# -- /forget ----------------------------------------------------------------------------------


def _button(text: str, draft_id: int, field: str, value: object = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(STEP, draft_id, field, str(value)))


async def forget_command(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if not await _private_only(update, "forget"):
        return
    assert context.person_id is not None  # (everyone who writes to Kring is a person to it)
    async with context.runtime.sessions.begin() as session:
        draft = await drafts.begin(
            session,
            person_id=context.person_id,
            chat_id=message.chat.id,
            flow=FLOW,
            step="choose",
            now=context.runtime.clock.now(),
            data={},
        )
        coordinated = [
            c
            for c in await circles.circles_of(session, context.person_id)
            if (await authz.role_in(session, context.person_id, c))[0] == authz.Role.COORDINATOR
        ]
        rows = [[_button("🗑 " + _("Alles over mij wissen"), draft.id, "self")]]
        rows += [
            [_button("🗑 " + _("Kring {circle} opheffen").format(circle=c.name), draft.id, "circle", c.id)]
            for c in coordinated
        ]
        rows.append([_button(pgettext("button", "Nee, toch niet"), draft.id, "no")])
    await message.reply_text(
        _("Wat wil je wissen? Eerst zie je wat er dan gebeurt. Pas daarna wis ik iets."),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def forget_pressed(update: Update, context: KringContext) -> None:
    await draft_button(update, context, STEP, FLOW, _press)


async def _press(
    context: KringContext, session: AsyncSession, draft: Draft, field: str, value: str
) -> StepReply | None:
    now = context.runtime.clock.now()
    person_id = context.person_id
    assert person_id is not None
    if field == "no":
        await drafts.finish(session, draft)
        return _("Goed. Ik wis niets."), None
    if field == "self" and draft.step == "choose":
        person = await session.get_one(Person, person_id)
        try:
            will = await erasure.consequences(session, person)
        except erasure.StillAProfessional:
            await drafts.finish(session, draft)
            return _(
                "Je bent nog hulpverlener van een kring. Vraag je organisatie om je af te melden. Dan wist Kring je gegevens."
            ), None
        drafts.advance(draft, "confirm_self", now=now)
        lines = [
            _("Dit gebeurt als je alles over jou wist:"),
            "• " + _("Je naam, je antwoorden, je berichten en je instellingen worden gewist."),
        ]
        if will.agreements_ending:
            lines.append("• " + _("Deze afspraken stoppen: {what}").format(what=", ".join(will.agreements_ending)))
        if will.circles_left:
            lines.append(
                "• "
                + _("Het gezin hoort dat je gestopt bent ({circles}).").format(circles=", ".join(will.circles_left))
            )
        if will.circles_dissolved:
            lines.append(
                "• "
                + _("Je bent de enige van het gezin. Daarom wordt deze kring opgeheven: {circles}.").format(
                    circles=", ".join(will.circles_dissolved)
                )
            )
        lines.append(_("Dit kan niet terug. Weet je het zeker?"))
        return "\n".join(lines), InlineKeyboardMarkup(
            [
                [_button(pgettext("button", "Ja, wis alles over mij"), draft.id, "yes_self")],
                [_button(pgettext("button", "Nee, toch niet"), draft.id, "no")],
            ]
        )
    if field == "yes_self" and draft.step == "confirm_self":
        person = await session.get_one(Person, person_id)
        await drafts.finish(session, draft)
        await erasure.forget_person(session, person, now=now)
        return _(
            "Klaar. Alles over jou is gewist. Dank je wel voor wat je deed. Wil je ooit weer meedoen? Dan heb je een nieuwe link nodig."
        ), None
    if field == "circle" and draft.step == "choose" and value.isdigit():
        access = await authz.authorize(session, person_id, callbacks.as_int(value), Action.DISSOLVE_CIRCLE)
        drafts.advance(draft, "confirm_circle", now=now, circle_id=access.circle.id)
        return "\n".join(
            [
                _(
                    "Alles van de kring {circle} wordt gewist: het plan, de afspraken, de antwoorden en wie meedoet."
                ).format(circle=access.circle.name),
                _("Iedereen in de kring hoort dat de kring is opgeheven. Dit kan niet terug. Weet je het zeker?"),
            ]
        ), InlineKeyboardMarkup(
            [
                [_button(pgettext("button", "Ja, hef de kring op"), draft.id, "yes_circle")],
                [_button(pgettext("button", "Nee, toch niet"), draft.id, "no")],
            ]
        )
    if field == "yes_circle" and draft.step == "confirm_circle":
        await drafts.finish(session, draft)
        name = await erasure.dissolve(session, draft.data["circle_id"], person_id=person_id, now=now)
        return _("Klaar. De kring {circle} is opgeheven en alles ervan is gewist.").format(circle=name), None
    return None


# -- what others are told ------------------------------------------------------------------------


async def _forget_the_name(session: AsyncSession, sent: Delivery) -> None:
    """Once told, the name (of someone erased, of a dissolved circle) is not kept in the outbox either."""
    sent.payload = {}


async def member_forgotten(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    payload = delivery.payload
    lines = [
        _("{name} doet niet meer mee en heeft gevraagd om alles over zichzelf te wissen. Dat is goed zo.").format(
            name=payload["name"]
        )
    ]
    if payload.get("agreements"):
        lines.append(
            _("Deze afspraken zijn daarom gestopt: {what}. Kijk samen wie dat nu doet (/plan).").format(
                what=", ".join(payload["agreements"])
            )
        )
    if payload.get("backup_for"):
        lines.append(
            _("{name} was reserve bij: {what}. Die afspraken hebben nu geen reserve.").format(
                name=payload["name"], what=", ".join(payload["backup_for"])
            )
        )
    if payload.get("in_plan"):
        lines.append(
            _(
                "{name} staat ook niet meer in jullie plan voor als het misgaat. Kijk wie jullie dan vragen (/safetyplan)."
            ).format(name=payload["name"])
        )
    return Rendered("\n".join(lines), after_sent=_forget_the_name)


async def circle_dissolved(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    return Rendered(
        _(
            "De kring {circle} is opgeheven door iemand van het gezin. Alles ervan is gewist. "
            "Ik stuur over deze kring geen berichten meer."
        ).format(circle=delivery.payload["circle"]),
        after_sent=_forget_the_name,
    )


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("mydata", my_data_command),
        CommandHandler("forget", forget_command),
        CallbackQueryHandler(forget_pressed, pattern=callbacks.pattern(STEP)),
    ]
