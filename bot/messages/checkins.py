"""The family's check-in (with its look back), the gentle reminder the next day, the look at the
plan every few weeks, and the answer buttons on them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import CheckinRound, Delivery, Outcome
from bot.i18n import _, bidi, pgettext
from bot.messages import reviews, who_questions
from bot.messages.giving import both_ways_lines
from bot.messages.network_checkins import contact_words
from bot.services import checkins, giving, network_checkins
from bot.services import who_questions as who_questions_service
from bot.texts import answer_labels
from scheduler.sender import Rendered

ANSWER = "ci"  # ci:round_id:answer
NOTE = "cn"  # cn:answer_id — write a few words with one's own answer


def answer_buttons(round_id: int) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(label, callback_data=callbacks.encode(ANSWER, round_id, kind.value))
        for kind, label in answer_labels().items()
    ]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def note_button(answer_id: int) -> InlineKeyboardButton:
    """A note without knowing Telegram's "reply to this message"."""
    return InlineKeyboardButton(
        "✍️ " + pgettext("button", "Iets erbij schrijven"), callback_data=callbacks.encode(NOTE, answer_id)
    )


async def _look_back_text(session: AsyncSession, checkin: CheckinRound) -> str | None:
    """What the check-in opens with; ``None`` the first time (there is nothing to look back on)."""
    back = await checkins.look_back(session, checkin)
    if back.first:
        return None
    labels = answer_labels()
    lines = ["👀 " + _("Eerst even terugkijken.")]
    if back.answers:
        counted = [f"{labels[kind]}: {count}" for kind, count in back.answers.most_common()]
        if back.no_answer:
            counted.append(_("geen antwoord: {count}").format(count=back.no_answer))
        lines.append(_("Vorige keer: {answers}").format(answers=", ".join(counted)))
        lines += [f"✍️ {bidi(name)}: “{bidi(note)}”" for name, note in back.notes]
    else:
        lines.append(_("Vorige keer heeft niemand geantwoord. Dat geeft niets."))
    lines += await _network_lines(session, checkin)
    lines += both_ways_lines(await giving.since_last_checkin(session, checkin))
    done = back.outcomes[Outcome.DONE]
    backup = back.outcomes[Outcome.BACKUP_DONE]
    missed = back.outcomes[Outcome.NOT_DONE] + back.outcomes[Outcome.BACKUP_CANT]
    silent = back.outcomes[Outcome.PENDING]  # nobody said: silence is not failure
    if done or backup or missed or silent:
        lines.append(
            _(
                "Afspraken sinds de vorige keer: {done} gedaan, {backup} door iemand die insprong, "
                "{missed} niet gelukt, {silent} zonder antwoord."
            ).format(done=done, backup=backup, missed=missed, silent=silent)
        )
    return "\n".join(lines)


async def _network_lines(session: AsyncSession, checkin: CheckinRound) -> list[str]:
    """What network members shared since the last check-in (their consent decides what)."""
    previous = await checkins.previous_round(session, checkin)
    since = previous.occurs_at if previous else checkin.occurs_at - timedelta(days=14)
    words = contact_words()
    lines = []
    for shared in await network_checkins.shared_with_family(session, checkin.circle_id, since, checkin.occurs_at):
        said = (
            [_("contact met het gezin: {answer}").format(answer=words[shared.had_contact])]
            if shared.had_contact
            else []
        )
        if shared.wants_to_talk:
            said.append(_("wil graag met jullie praten"))
        if said:
            lines.append(f"🌱 {bidi(shared.name)}: " + ", ".join(said))
        if shared.note:
            lines.append(f"✍️ {bidi(shared.name)}: “{bidi(shared.note)}”")
    return lines


async def checkin_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    checkin = await checkins.current_round(session, delivery.payload.get("round_id"))
    if checkin is None:
        return None
    question = "💬 " + _("Hoe gaat het met jullie? Iedereen van het gezin kan zelf antwoorden.")
    look_back = await _look_back_text(session, checkin)
    return Rendered(f"{look_back}\n\n{question}" if look_back else question, answer_buttons(checkin.id))


async def nudge(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    checkin = await checkins.current_round(session, delivery.payload.get("round_id"))
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
    checkin = await checkins.current_round(session, delivery.payload.get("round_id"))
    if checkin is None:
        return None
    # a conversation, not a list of commands (issue 23): the button opens the questions privately
    lines = ["🔄 " + _("Past het plan nog? Elke paar weken kijken we dat samen na."), reviews.invitation()]
    if delivery.circle_id is not None and await who_questions_service.few_people(session, delivery.circle_id):
        lines.append(who_questions.offer())  # few people around the family: a tip, never a question
    return Rendered("\n".join(lines), reviews.start_button(checkin.id))
