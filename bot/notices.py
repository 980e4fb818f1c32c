"""Renderers for messages that tell the family what happened (sent through the outbox)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Agreement, AgreementStatus, Delivery, Member, Professional, Visibility
from bot.deliveries import renderer
from bot.handlers.agreements import answer_buttons, confirm_buttons
from bot.i18n import _
from bot.plan_text import agreement_block
from bot.services import agreements
from bot.services.agreements import AgreementView
from scheduler.sender import Rendered


async def _member(session: AsyncSession, delivery: Delivery) -> Member | None:
    return await session.get(Member, delivery.payload.get("member_id"))


@renderer("member.joined")
async def member_joined(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await _member(session, delivery)
    return Rendered(_("{name} doet nu mee in de kring, als gezinslid.").format(name=member.display_name)) if member else None


@renderer("member.accepted")
async def member_accepted(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await _member(session, delivery)
    return Rendered(_("{name} doet mee in de kring. Welkom!").format(name=member.display_name)) if member else None


@renderer("member.declined")
async def member_declined(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await _member(session, delivery)
    if member is None:
        return None
    return Rendered(_("{name} doet niet mee. Dat is goed: niet iedereen kan helpen.").format(name=member.display_name))


@renderer("member.left")
async def member_left(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await _member(session, delivery)
    if member is None:
        return None
    return Rendered(_("{name} doet niet meer mee in de kring. Zijn of haar afspraken zijn gestopt. "
                      "Kijk samen met /plan wat er nu nodig is.").format(name=member.display_name))


async def _agreement(session: AsyncSession, delivery: Delivery) -> AgreementView | None:
    agreement = await session.get(Agreement, delivery.payload.get("agreement_id"))
    return await agreements.view(session, agreement) if agreement is not None else None


def _what(delivery: Delivery, view: AgreementView) -> str:
    """The agreement's text, except in the group for an agreement only the family and the doer
    may see (everyone in the group reads along)."""
    if delivery.person_id is None and view.agreement.visibility == Visibility.FAMILY_AND_DOER:
        return _("een afspraak die alleen voor het gezin is (zie /plan privé)")
    return view.agreement.what


async def _proposer_name(session: AsyncSession, view: AgreementView) -> str:
    agreement = view.agreement
    member = await session.scalar(select(Member).where(
        Member.circle_id == agreement.circle_id, Member.person_id == agreement.proposed_by_person_id))
    if member is not None:
        return member.display_name
    professional = await session.scalar(select(Professional).where(Professional.person_id == agreement.proposed_by_person_id))
    return professional.name if professional else "?"


@renderer("agreement.ask")
async def agreement_ask(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    if view is None or view.agreement.status != AgreementStatus.PROPOSED:
        return None  # answered or changed in the meantime
    name = await _proposer_name(session, view)
    if delivery.person_id is None and view.agreement.visibility == Visibility.FAMILY_AND_DOER:
        return Rendered(_("{doer}, {name} vraagt iets van jou. Dat is alleen voor het gezin. "
                          "Stuur mij privé /agreements om het te zien en te antwoorden.").format(doer=view.doer.display_name, name=name))
    text = _("{doer}, {name} vraagt of jij dit wilt doen:").format(doer=view.doer.display_name, name=name)
    return Rendered(f"{text}\n\n{agreement_block(view)}", answer_buttons(view.agreement.id))


@renderer("agreement.suggested")
async def agreement_suggested(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    if view is None or view.agreement.status != AgreementStatus.SUGGESTED:
        return None
    text = _("{name} stelt deze afspraak voor. Wie de kring regelt, beslist:").format(name=await _proposer_name(session, view))
    if delivery.person_id is None and view.agreement.visibility == Visibility.FAMILY_AND_DOER:
        return Rendered(text + "\n\n" + _what(delivery, view), confirm_buttons(view.agreement.id))
    return Rendered(f"{text}\n\n{agreement_block(view)}", confirm_buttons(view.agreement.id))


@renderer("agreement.accepted")
async def agreement_accepted(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    if view is None:
        return None
    return Rendered(_("{name} zegt ja: {what}. Dank je wel!").format(name=view.doer.display_name, what=_what(delivery, view)))


@renderer("agreement.declined")
async def agreement_declined(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    if view is None:
        return None
    text = _("{name} doet dit liever anders: {what}.").format(name=view.doer.display_name, what=_what(delivery, view))
    if view.agreement.decline_reason and _what(delivery, view) == view.agreement.what:
        text += "\n" + _("Waarom: {reason}").format(reason=view.agreement.decline_reason)
    return Rendered(text + "\n" + _("Kijk samen wat wel past. Een nieuwe afspraak maak je met /agreement."))


@renderer("agreement.stepped_back")
async def agreement_stepped_back(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    if view is None:
        return None
    return Rendered(_("{name} stopt met: {what}. Kijk samen wat er nu nodig is.").format(
        name=view.doer.display_name, what=_what(delivery, view)))


@renderer("agreement.pause")
async def agreement_paused(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    return Rendered(_("Deze afspraak staat even stil: {what}").format(what=_what(delivery, view))) if view else None


@renderer("agreement.resume")
async def agreement_resumed(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    return Rendered(_("Deze afspraak gaat weer door: {what}").format(what=_what(delivery, view))) if view else None


@renderer("agreement.end")
async def agreement_ended(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    return Rendered(_("Deze afspraak is gestopt: {what}. Dank je wel voor je hulp.").format(what=_what(delivery, view))) if view else None


@renderer("agreement.changed")
async def agreement_changed(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    view = await _agreement(session, delivery)
    if view is None:
        return None
    if delivery.person_id is None and view.agreement.visibility == Visibility.FAMILY_AND_DOER:
        return Rendered(_("Deze afspraak is aangepast: {what}").format(what=_what(delivery, view)))
    return Rendered(_("Jullie afspraak is aangepast. Zo staat hij nu in het plan:") + "\n\n" + agreement_block(view))
