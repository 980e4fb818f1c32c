"""/pulse: the family decides whether the former professional gets a short, activity-only update
during the follow-up period — and sees each one exactly as it is sent ("Dit ziet Anna")."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Circle, Delivery, Professional, Schedule
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.handlers.flows import button_action
from bot.i18n import _, format_date, ngettext, pgettext
from bot.runtime import KringContext
from bot.services import authz, notifications, pulse
from bot.services.authz import Action
from scheduler.sender import Rendered

CHOOSE = "pl"  # pl:circle_id:weeks (0: off)


def stats_lines(stats: pulse.Stats) -> list[str]:
    """The pulse's content: counts only. The same lines go to the professional and the family."""
    return [
        _("Check-ins: {asked} gevraagd, {answered} beantwoord.").format(asked=stats.checkins, answered=stats.answers),
        _("Antwoorden: goed {good}, zo-zo {so_so}, niet goed {not_good}, wil erover praten {talk}.").format(
            good=stats.good, so_so=stats.so_so, not_good=stats.not_good, talk=stats.want_to_talk
        ),
        _("Afspraken: {kept} gelukt, {not_kept} niet gelukt of geen antwoord.").format(
            kept=stats.kept, not_kept=stats.not_kept
        ),
    ] + (
        [_("Check-ins van het netwerk: {count} beantwoord.").format(count=stats.network_answers)]
        if stats.network_answers
        else []
    )


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, PULSE_COMMAND)


async def offer(context: KringContext, message: Message, circle_id: int) -> None:
    """The question with its buttons: after /pulse, and once at set-up, when the first
    coordinator joins (the family decides; nothing is sent to the professional until then)."""
    async with context.runtime.sessions() as session:
        try:
            access = await authz.authorize(session, context.person_id, circle_id, Action.CHOOSE_PULSE)
        except authz.NotAllowed:
            await message.reply_text(_("Alleen wie de kring regelt, kiest of de hulpverlener een korte stand krijgt."))
            return
        professional = (
            await session.get(Professional, access.circle.professional_id) if access.circle.professional_id else None
        )
        schedule = await pulse.current(session, circle_id)
    if professional is None:
        await message.reply_text(_("Er is geen hulpverlener meer bij deze kring. Er gaat geen stand naar iemand."))
        return
    now_text = (
        ngettext("Nu: elke week.", "Nu: elke {count} weken.", schedule.interval).format(count=schedule.interval)
        if schedule
        else _("Nu: uit.")
    )
    example = pulse.Stats(checkins=2, answers=2, good=2, so_so=1, not_good=0, want_to_talk=0, kept=3, not_kept=1)
    text = "\n".join(
        [
            _("Mag {name} om de paar weken een korte stand zien? Zo houdt {name} een vinger aan de pols.").format(
                name=professional.name
            ),
            _(
                "{name} ziet alleen tellingen, nooit wat jullie schrijven. Jullie zien elke stand ook zelf. Bijvoorbeeld:"
            ).format(name=professional.name),
            *("  " + line for line in stats_lines(example)),
            now_text,
        ]
    )
    buttons = [
        InlineKeyboardButton(
            ngettext("Elke week", "Elke {count} weken", w).format(count=w) + (" ✓" if w == 2 else ""),
            callback_data=callbacks.encode(CHOOSE, circle_id, w),
        )
        for w in pulse.CHOICES
    ]
    buttons.append(
        InlineKeyboardButton(pgettext("button", "Uit"), callback_data=callbacks.encode(CHOOSE, circle_id, 0))
    )
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup([buttons]))


async def choose_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[Schedule | None]:
        return (
            await pulse.choose(
                session,
                callbacks.as_int(values[0]),
                person_id=person_id,
                weeks=callbacks.as_int(values[1]) or None,
                now=context.runtime.clock.now(),
            ),
        )

    done = await button_action(update, context, CHOOSE, 2, apply)
    if done is None:
        return
    (chosen,) = done  # (``None`` inside: switched off)
    await query.answer()
    if chosen is None:
        await query.edit_message_text(
            _("De stand is uit. De hulpverlener krijgt niets meer, en weet dat jullie dit kozen.")
        )
    else:
        await query.edit_message_text(
            ngettext(
                "Goed. Elke week krijgt de hulpverlener een korte stand. Jullie zien hem ook.",
                "Goed. Elke {count} weken krijgt de hulpverlener een korte stand. Jullie zien hem ook.",
                chosen.interval,
            ).format(count=chosen.interval)
        )


async def _stats_of(session: AsyncSession, delivery: Delivery) -> pulse.Stats:
    """Counted once, when first sent: the family's copy shows exactly these numbers."""
    if "stats" not in delivery.payload:
        stats = await pulse.stats(
            session,
            delivery.circle_id or 0,
            datetime.fromisoformat(delivery.payload["since"]),
            datetime.fromisoformat(delivery.payload["until"]),
        )
        delivery.payload = {**delivery.payload, "stats": stats.as_payload()}
    return pulse.Stats(**delivery.payload["stats"])


async def pulse_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    circle = await session.get(Circle, delivery.circle_id)
    professional = await session.get(Professional, delivery.payload.get("professional_id"))
    if circle is None or professional is None or not await pulse.still_wanted(session, circle, professional, delivery):
        return None  # switched off, the professional removed, or the follow-up over since it was queued
    stats = await _stats_of(session, delivery)
    local_since = datetime.fromisoformat(delivery.payload["since"]).astimezone(ZoneInfo(circle.time_zone))
    since = format_date(local_since.date(), format="d MMMM")

    async def show_the_family(session: AsyncSession, sent: Delivery) -> None:
        await notifications.tell_family(
            session,
            circle,
            kind=DeliveryKind.PULSE_SHOWN,
            key=f"{sent.key}:shown",
            now=sent.due_at,
            payload={
                "stats": stats.as_payload(),
                "professional_id": professional.id,
                "last": sent.payload.get("last", False),
            },
        )

    return Rendered(
        "\n".join(
            [
                "🫶 " + _("Korte stand van {circle}, sinds {date}:").format(circle=circle.name, date=since),
                *stats_lines(stats),
                _("Meer vertelt Kring niet. Wil het gezin contact, dan vragen ze dat zelf."),
            ]
        ),
        after_sent=show_the_family,
    )


async def pulse_shown(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    professional = await session.get(Professional, delivery.payload.get("professional_id"))
    if professional is None:
        return None
    stats = pulse.Stats(**delivery.payload["stats"])
    if delivery.payload.get("last"):
        return Rendered(
            "\n".join(
                [
                    "🫶 " + _("Dit is de laatste stand die {name} krijgt:").format(name=professional.name),
                    *stats_lines(stats),
                ]
            )
        )
    return Rendered(
        "\n".join(
            [
                "🫶 " + _("Dit ziet {name} vandaag:").format(name=professional.name),
                *stats_lines(stats),
                _("Liever niet meer? Kies /pulse."),
            ]
        )
    )


async def pulse_switched(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    circle = await session.get(Circle, delivery.circle_id)
    if circle is None:
        return None
    if delivery.payload.get("on"):
        return Rendered(
            _("{circle} geeft je om de paar weken een korte stand: alleen tellingen.").format(circle=circle.name)
        )
    return Rendered(_("{circle} heeft de korte stand uitgezet. Je krijgt geen stand meer.").format(circle=circle.name))


PULSE_COMMAND = CircleCommand(
    "pulse",
    authz.RULES[Action.CHOOSE_PULSE],
    lambda: _("Alleen wie de kring regelt, kiest of de hulpverlener een korte stand krijgt."),
    offer,
)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("pulse", start),
        PULSE_COMMAND.handler(),
        CallbackQueryHandler(choose_pressed, pattern=callbacks.pattern(CHOOSE)),
    ]
