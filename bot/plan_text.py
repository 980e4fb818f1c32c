"""The plan as people read it on a phone: short lines, one agreement per block, the emergency
numbers always at the end, split cleanly where Telegram's 4096 characters would cut it."""

from __future__ import annotations

from collections.abc import Mapping

from babel.dates import get_day_names

from bot.db.models import AgreementOpinion, AgreementStatus, Frequency, StepKind, SupportKind
from bot.i18n import _, babel_locale, bidi, format_date, pgettext
from bot.services.agreements import AgreementView, When
from bot.services.plan_view import PlanView
from bot.services.safety_plan import SafetyPlan, StepView
from bot.services.young_views import Said
from bot.texts import not_an_emergency_service

MAX_MESSAGE = 4096

SUPPORT_ICONS = {
    SupportKind.PRACTICAL: "🛠",
    SupportKind.EMOTIONAL: "💬",
    SupportKind.ADVICE: "💡",
    SupportKind.COMPANY: "🎲",
    SupportKind.KEEPING_AN_EYE: "👀",
}


def support_label(kind: SupportKind, *, with_icon: bool = True) -> str:
    labels = {
        SupportKind.PRACTICAL: pgettext("support", "praktische hulp"),
        SupportKind.EMOTIONAL: pgettext("support", "een luisterend oor"),
        SupportKind.ADVICE: pgettext("support", "advies"),
        SupportKind.COMPANY: pgettext("support", "samen iets leuks doen"),
        SupportKind.KEEPING_AN_EYE: pgettext("support", "een oogje in het zeil"),
    }
    return f"{SUPPORT_ICONS[kind]} {labels[kind]}" if with_icon else labels[kind]


def weekday_name(weekday: int) -> str:
    return str(get_day_names("wide", locale=babel_locale())[weekday])


def describe_when(when: When | None) -> str:
    if when is None:
        return _("als het nodig is")
    at = when.at_time.strftime("%H:%M")
    if when.frequency == Frequency.WEEKLY and when.weekday is not None:
        day = weekday_name(when.weekday)
        if when.interval == 2:
            return _("om de week op {weekday} om {time}").format(weekday=day, time=at)
        return _("elke {weekday} om {time}").format(weekday=day, time=at)
    if when.frequency == Frequency.MONTHLY:
        return _("elke maand op dag {day} om {time}").format(day=when.day_of_month, time=at)
    assert when.on_date is not None
    return _("op {date} om {time}").format(date=format_date(when.on_date, "d MMMM"), time=at)


def status_note(view: AgreementView) -> str | None:
    status = view.agreement.status
    if status == AgreementStatus.SUGGESTED:
        return _("voorstel van de hulpverlener; iemand die de kring regelt, moet het nog goedkeuren")
    if status == AgreementStatus.PROPOSED:
        return _("wacht op antwoord van {name}").format(name=view.doer.display_name)
    if status == AgreementStatus.PAUSED:
        return _("staat even stil")
    return None


def opinion_words(opinion: AgreementOpinion) -> str:
    """What the young person thinks of an agreement, as the coordinators read it."""
    return {
        AgreementOpinion.HELPS: _("dit helpt"),
        AgreementOpinion.DOES_NOT_HELP: _("dit helpt niet"),
        AgreementOpinion.RATHER_ELSE: _("liever iets anders"),
    }[opinion]


def said_line(said: Said) -> str:
    return "   💬 " + _("{young} vindt: {opinion}").format(young=bidi(said.young), opinion=opinion_words(said.opinion))


def agreement_block(view: AgreementView, says: Mapping[int, list[Said]] | None = None) -> str:
    """One agreement; with ``says``, what the young person thinks of it (only for those who may
    read it: the coordinators, and the young person their own)."""
    agreement = view.agreement
    head = f"• {bidi(view.doer.display_name)}: {bidi(agreement.what)}"
    if agreement.for_whom:
        head += " " + _("(voor {name})").format(name=agreement.for_whom)
    lines = [head, f"   {support_label(agreement.support_kind)} · {describe_when(When.from_schedule(view.schedule))}"]
    if view.backup is not None:
        lines.append("   " + _("Als het niet lukt: {name}").format(name=view.backup.display_name))
    note = status_note(view)
    if note:
        lines.append(f"   ({note})")
    lines += [said_line(said) for said in (says or {}).get(agreement.id, [])]
    return "\n".join(lines)


def step_line(number: int, view: StepView) -> str:
    step = view.step
    if step.kind == StepKind.ASK:
        who = view.name or "?"
        text = _("Vraag {name}").format(name=who) + (f" ({step.phone})" if step.phone else "")
        if step.redo:  # the family took this person out of the circle
            text = "⚠️ " + text + " — " + _("doet niet meer mee. Pas deze stap aan.")
    elif step.kind == StepKind.PROFESSIONAL:
        text = _("Vraag de hulpverlener: {when}").format(when=step.text)
    else:
        text = _("Zelf: {what}").format(what=step.text)
    return f"{number}. {text}"


def shared_steps_text(steps: list[StepView]) -> str:
    return _("Dit doet het gezin dan:") + "\n" + "\n".join(step_line(i, s) for i, s in enumerate(steps, 1))


def plan_messages(
    circle_name: str,
    agreements: list[AgreementView],
    safety: SafetyPlan | None,
    *,
    show_signs: bool,
    named_steps: list[StepView] | None = None,
    shared_steps: list[StepView] | None = None,
    can_edit: bool = False,
    helplines: bool = True,
    says: Mapping[int, list[Said]] | None = None,
    proud: list[str] | None = None,
    keep_doing: list[str] | None = None,
) -> list[str]:
    """The plan, as a list of messages that each fit Telegram (without the helplines block when
    the group saw it today: then the plan carries the button)."""
    parts = ["📋 " + _("Het plan van {circle}").format(circle=circle_name), _("Wie doet wat?")]
    if agreements:
        parts += [agreement_block(view, says) for view in agreements]
    else:
        parts.append(_("Nog geen afspraken.") + (" " + _("Maak er een met /newagreement.") if can_edit else ""))
    if proud:  # the family's own words from looking back together
        parts.append("⭐ " + _("Hier zijn we trots op") + "\n" + "\n".join(f"• {text}" for text in proud))
    if keep_doing:
        parts.append("🌱 " + _("Dit blijven we doen") + "\n" + "\n".join(f"• {text}" for text in keep_doing))
    parts.append("🆘 " + _("Als het misgaat"))
    if safety is not None:
        if show_signs and safety.signs:
            parts.append(_("Hieraan merken we het:") + "\n" + "\n".join(f"• {sign.text}" for sign in safety.signs))
        if safety.steps:
            parts.append(
                _("Dit doen we dan:") + "\n" + "\n".join(step_line(i, s) for i, s in enumerate(safety.steps, 1))
            )
        elif can_edit:
            parts.append(_("Nog niets afgesproken. Dat doe je met /safetyplan."))
    else:
        if named_steps:
            parts.append(_("Als het misgaat, kan het gezin jou om hulp vragen."))
        if shared_steps:  # the family chose to share these with this person
            parts.append(shared_steps_text(shared_steps))
    if helplines:
        parts.append(not_an_emergency_service())
    return split_messages(parts)


def plan_messages_of(
    view: PlanView, *, helplines: bool = True, says: Mapping[int, list[Said]] | None = None
) -> list[str]:
    """The plan as this person may see it here (see :mod:`bot.services.plan_view`)."""
    return plan_messages(
        view.circle.name,
        view.agreements,
        view.safety,
        show_signs=view.show_signs,
        named_steps=view.named_steps,
        shared_steps=view.shared_steps,
        can_edit=view.can_edit,
        helplines=helplines,
        says=says,
        proud=view.proud,
        keep_doing=view.keep_doing,
    )


def split_messages(parts: list[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Join blocks with blank lines into as few messages as fit; a block too long on its own is
    cut at line ends (and, for one endless line, at the limit)."""
    messages: list[str] = []
    current = ""
    for block in parts:
        for piece in _pieces(block, limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _pieces(block: str, limit: int) -> list[str]:
    if len(block) <= limit:
        return [block]
    pieces: list[str] = []
    current = ""
    for line in block.split("\n"):
        while len(line) > limit:
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = line
    if current:
        pieces.append(current)
    return pieces
