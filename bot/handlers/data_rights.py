"""/mydata and /forget: a person's own data, as documents; erasing oneself; dissolving a circle.

Both only in a private chat: a group is no place for someone's data or for a decision like this.
Erasing is two steps (the flow :mod:`bot.flows.forget`): what will happen, then "yes"."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler

from bot.db.models import AgreementOpinion, FeltSupport, PersonWish, SupportKind
from bot.flows import forget
from bot.handlers import flows
from bot.i18n import _, format_datetime, language_name, pgettext
from bot.messages import network_checkins, network_reviews, young_checkins
from bot.messages import support as felt_support
from bot.plan_text import opinion_words
from bot.runtime import KringContext
from bot.services import consent, my_data, people
from bot.services.consent import Consent
from bot.texts import answer_labels


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
    async with context.runtime.reads() as session:
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

    roles = {"family": _("gezin"), "network": _("netwerk"), "young": _("de jongere")}
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
    works = {kind.value: label for kind, label in network_reviews.works_labels().items()}
    moods = {mood.value: label for mood, label in young_checkins.mood_labels().items()}
    opinions = {opinion.value: opinion_words(opinion) for opinion in AgreementOpinion}
    wishes = {
        PersonWish.WANT.value: pgettext("button", "👍 Ja, graag"),
        PersonWish.RATHER_NOT.value: pgettext("button", "🙅 Liever niet"),
    }
    consents = {
        Consent.JOINED: _("Meedoen in de kring"),
        Consent.PULSE: _("De cijfers voor de hulpverlener"),
        Consent.VISIBILITY: _("Wie een afspraak mag zien"),
        Consent.NETWORK_ANSWERS: _("Het gezin ziet je check-in"),
        Consent.NETWORK_NOTE: _("Het gezin leest je notitie"),
    }
    lines = [
        _("Wat Kring over jou bewaart"),
        "",
        _("Je Telegram-account (id {id}). Je taal: {language}. Je tijdzone: {zone}.").format(
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
            _("Past jouw deel nog?"),
            [
                f"{when(r['created_at'])}: "
                + (
                    works.get(r["still_works"], "-") + said(r["rather_else"])
                    if r["still_works"]
                    else _("geen antwoord")
                )
                for r in data["network_reviews"]
            ],
        ),
        (
            _("Je eigen check-ins als jongere"),
            [
                f"{when(y['occurs_at'])}: "
                + (
                    ", ".join(moods.get(y[field], "-") for field in ("overall", "at_home", "at_school"))
                    if y["answered_at"]
                    else _("geen antwoord")
                )
                for y in data["young_checkins"]
            ],
        ),
        (
            _("Wat je zei toen jullie samen terugkeken"),
            [f"{when(r['created_at'])}{said(r['text'])}" for r in data["review_answers"] if r["text"]],
        ),
        (
            _("Je antwoorden over steun"),
            [
                f"{when(a['answered_at'])}: {felt_support.kind_words(SupportKind(a['kind']), young=False)}: "
                + ", ".join(
                    [
                        felt_support.felt_labels()[FeltSupport(a["felt"])],
                        felt_support.how_often_labels().get(a["how_often"] or "", "-"),
                        *(felt_support.source_labels().get(s, s) for s in a["sources"] or []),
                    ]
                )
                for a in data["support_answers"]
            ],
        ),
        (
            _("Wat je vond van afspraken"),
            [f"{o['agreement']}: {opinions.get(o['opinion'], o['opinion'])}" for o in data["young_opinions"]],
        ),
        (
            _("Wie je erbij wilt, of liever niet"),
            [f"{w['name']}: {wishes.get(w['wish'], w['wish'])}" for w in data["young_wishes"]],
        ),
        (
            _("Vertrouwenspersonen die je voorstelde"),
            [f"{m['display_name']}{said(m['proposal_reason'])}" for m in data["trusted_adults"]],
        ),
        (
            _("Namen die je opschreef bij /who"),
            [w["name"] + (" (" + _("uitgenodigd") + ")" if w["invited"] else "") for w in data["who_names"]],
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


async def forget_command(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if not await _private_only(update, "forget"):
        return
    await flows.start(context, message, forget.FORGET, forget.ForgetDraft(), step="choose")


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("mydata", my_data_command),
        CommandHandler("forget", forget_command),
    ]
