"""Renderers for messages that tell the family what happened (sent through the outbox)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Agreement, AgreementOccurrence, AgreementStatus, Delivery, Member, Outcome, Visibility
from bot.i18n import _, format_datetime
from bot.messages.agreements import answer_buttons, confirm_buttons
from bot.messages.reminders import backup_buttons, reminder_buttons, thanks_button
from bot.plan_text import agreement_block
from bot.services import notices
from bot.services.agreements import AgreementView
from bot.services.notices import OccurrenceView
from scheduler.sender import Rendered


async def _member(session: AsyncSession, delivery: Delivery) -> Member | None:
    return await notices.member(session, delivery.payload.get("member_id"))


async def member_declined(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await _member(session, delivery)
    if member is None:
        return None
    return Rendered(_("{name} doet niet mee. Dat is goed: niet iedereen kan helpen.").format(name=member.display_name))


async def member_left(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await _member(session, delivery)
    if member is None:
        return None
    return Rendered(
        _(
            "{name} doet niet meer mee in de kring. Zijn of haar afspraken zijn gestopt. "
            "Kijk samen met /plan wat er nu nodig is."
        ).format(name=member.display_name)
    )


async def _agreement(session: AsyncSession, delivery: Delivery) -> AgreementView | None:
    return await notices.agreement_view(session, delivery.payload.get("agreement_id"))


def _what(delivery: Delivery, view: AgreementView) -> str:
    return what_for(delivery, view.agreement, kept_from_someone=view.kept_from_someone)


def what_for(delivery: Delivery, agreement: Agreement, *, kept_from_someone: bool = False) -> str:
    """The agreement's text, except in the group for an agreement only the family and the doer
    may see, or one someone must not know (everyone in the group reads along)."""
    if delivery.person_id is None and (agreement.visibility == Visibility.FAMILY_AND_DOER or kept_from_someone):
        return _("een afspraak die alleen voor het gezin is (zie /plan privé)")
    return agreement.what


async def agreement_ask(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    if view is None or view.agreement.status != AgreementStatus.PROPOSED:
        return None  # answered or changed in the meantime
    name = await notices.proposer_name(session, view.agreement)
    if delivery.person_id is None and not view.in_group:
        return Rendered(
            _(
                "{doer}, {name} vraagt iets van jou. Dat is alleen voor het gezin. "
                "Stuur mij privé /agreements om het te zien en te antwoorden."
            ).format(doer=view.doer.display_name, name=name)
        )
    text = _("{doer}, {name} vraagt of jij dit wilt doen:").format(doer=view.doer.display_name, name=name)
    return Rendered(f"{text}\n\n{agreement_block(view)}", answer_buttons(view.agreement.id))


async def agreement_suggested(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    if view is None or view.agreement.status != AgreementStatus.SUGGESTED:
        return None
    text = _("{name} stelt deze afspraak voor. Wie de kring regelt, beslist:").format(
        name=await notices.proposer_name(session, view.agreement)
    )
    if delivery.person_id is None and not view.in_group:
        return Rendered(text + "\n\n" + _what(delivery, view), confirm_buttons(view.agreement.id))
    return Rendered(f"{text}\n\n{agreement_block(view)}", confirm_buttons(view.agreement.id))


async def agreement_accepted(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    if view is None:
        return None
    return Rendered(
        _("{name} zegt ja: {what}. Dank je wel!").format(name=view.doer.display_name, what=_what(delivery, view))
    )


async def agreement_declined(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    if view is None:
        return None
    text = _("{name} doet dit liever anders: {what}.").format(name=view.doer.display_name, what=_what(delivery, view))
    if view.agreement.decline_reason and _what(delivery, view) == view.agreement.what:
        text += "\n" + _("Waarom: {reason}").format(reason=view.agreement.decline_reason)
    return Rendered(text + "\n" + _("Kijk samen wat wel past. Een nieuwe afspraak maak je met /newagreement."))


async def agreement_stepped_back(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    if view is None:
        return None
    return Rendered(
        _("{name} stopt met: {what}. Kijk samen wat er nu nodig is.").format(
            name=view.doer.display_name, what=_what(delivery, view)
        )
    )


async def agreement_paused(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    return Rendered(_("Deze afspraak staat even stil: {what}").format(what=_what(delivery, view))) if view else None


async def agreement_resumed(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    return Rendered(_("Deze afspraak gaat weer door: {what}").format(what=_what(delivery, view))) if view else None


async def agreement_ended(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    return (
        Rendered(_("Deze afspraak is gestopt: {what}. Dank je wel voor je hulp.").format(what=_what(delivery, view)))
        if view
        else None
    )


async def agreement_changed(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    if view is None:
        return None
    if delivery.person_id is None and not view.in_group:
        return Rendered(_("Deze afspraak is aangepast: {what}").format(what=_what(delivery, view)))
    return Rendered(_("Jullie afspraak is aangepast. Zo staat hij nu in het plan:") + "\n\n" + agreement_block(view))


async def _occurrence(session: AsyncSession, delivery: Delivery) -> OccurrenceView | None:
    return await notices.occurrence_view(session, delivery.payload.get("occurrence_id"))


async def _when(session: AsyncSession, delivery: Delivery, occurrence: AgreementOccurrence) -> str:
    """The moment in the reader's own time zone (a network member may live abroad)."""
    zone = await notices.reader_zone(session, delivery.person_id, delivery.circle_id)
    return format_datetime(occurrence.occurs_at, zone, format="EEEE d MMMM, HH:mm")


async def reminder(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await _occurrence(session, delivery)
    if found is None or found[1].agreement.status != AgreementStatus.ACTIVE:
        return None
    occurrence, view = found
    lines = ["⏰ " + _("Herinnering: {what}").format(what=view.agreement.what)]
    if view.agreement.for_whom:
        lines[0] += " " + _("(voor {name})").format(name=view.agreement.for_whom)
    lines.append(_("Wanneer: {when}").format(when=await _when(session, delivery, occurrence)))
    lines.append(_("Laat je het weten als het gedaan is? Of als het deze keer niet lukt?"))
    return Rendered("\n".join(lines), reminder_buttons(occurrence.id))


async def occurrence_done(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await _occurrence(session, delivery)
    if found is None:
        return None
    occurrence, view = found
    text = "✅ " + _("{name} heeft het gedaan: {what}.").format(name=view.doer.display_name, what=_what(delivery, view))
    return Rendered(text, thanks_button(occurrence.id))


async def occurrence_not_done(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await _occurrence(session, delivery)
    if found is None:
        return None
    _occ, view = found
    text = _("{name} kan het deze keer niet: {what}.").format(name=view.doer.display_name, what=_what(delivery, view))
    if view.backup is not None:
        text += " " + _("Ik vraag {name} om in te springen.").format(name=view.backup.display_name)
    else:
        text += " " + _("Kijk samen of iemand anders kan.")
    return Rendered(text)


async def backup_ask(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await _occurrence(session, delivery)
    if found is None or found[0].outcome != Outcome.NOT_DONE or found[1].backup is None:
        return None
    occurrence, view = found
    assert view.backup is not None
    text = _("{backup}, {doer} kan deze keer niet: {what} ({when}). Kun jij inspringen?").format(
        backup=view.backup.display_name,
        doer=view.doer.display_name,
        what=_what(delivery, view),
        when=await _when(session, delivery, occurrence),
    )
    return Rendered(text, backup_buttons(occurrence.id))


async def backup_done(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await _occurrence(session, delivery)
    backup = await notices.answered_by(session, found[0]) if found else None
    if found is None or backup is None:
        return None
    occurrence, view = found
    text = "✅ " + _("{name} springt in: {what}.").format(name=backup.display_name, what=_what(delivery, view))
    return Rendered(text, thanks_button(occurrence.id))


async def backup_cant(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await _occurrence(session, delivery)
    backup = await notices.answered_by(session, found[0]) if found else None
    if found is None or backup is None:
        return None
    return Rendered(
        _("{name} kan ook niet: {what}. Kijk samen wat er nodig is.").format(
            name=backup.display_name, what=_what(delivery, found[1])
        )
    )


async def thanks(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await _occurrence(session, delivery)
    by = await notices.member(session, delivery.payload.get("by_member_id"))
    if found is None or by is None:
        return None
    return Rendered(
        "💛 " + _("{name} zegt: dank je wel voor {what}!").format(name=by.display_name, what=found[1].agreement.what)
    )


async def member_unreachable(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await _member(session, delivery)
    if member is None:
        return None
    return Rendered(
        _(
            "{name} krijgt mijn berichten niet meer. Misschien heeft die persoon Kring geblokkeerd. "
            "Vraag het even zelf, als je wilt."
        ).format(name=member.display_name)
    )
