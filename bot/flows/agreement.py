"""Making (or changing) an agreement: who, what, when, then one summary with sensible defaults
(for nobody in particular, practical help, nobody steps in, the whole circle sees it) that can
each be changed before saving. And the doer's optional reason for "Liever anders"."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import AgreementStatus, Frequency, Member, SupportKind, Visibility
from bot.flows.flow import Flow, Reply, Step, Turn, rows, say, too_long
from bot.i18n import _, pgettext
from bot.plan_text import agreement_block, describe_when, support_label, weekday_name
from bot.services import agreements, authz, circles
from bot.services.agreements import When

#: What the summary shows until someone changes it. Practical help is the most common kind.
DEFAULT_KIND = SupportKind.PRACTICAL
DEFAULT_VISIBILITY = Visibility.CIRCLE
#: Times offered as buttons; any other time can be typed.
TIMES = ("09:00", "12:00", "15:00", "18:00", "19:00", "20:00")
#: The defaults the summary can change: button name → step.
CHANGES = ("for_whom", "kind", "backup", "visibility")


@dataclass(frozen=True)
class AgreementDraft:
    circle_id: int
    #: Set when an existing agreement is being changed (its doer stays).
    agreement_id: int | None = None
    doer: int | None = None
    what: str = ""
    for_whom: str | None = None
    #: ``None`` (also in drafts from before the summary existed): :data:`DEFAULT_KIND`.
    kind: str | None = None
    #: A :class:`Frequency` value, or "needed" (no schedule: "als het nodig is").
    frequency: str | None = None
    interval: int = 1
    weekday: int | None = None
    day_of_month: int | None = None
    on_date: str | None = None
    at_time: str | None = None
    backup: int | None = None
    #: ``None``: :data:`DEFAULT_VISIBILITY`.
    visibility: str | None = None

    @property
    def when(self) -> When | None:
        return When.from_data(asdict(self))

    @property
    def support_kind(self) -> SupportKind:
        return SupportKind(self.kind) if self.kind else DEFAULT_KIND

    @property
    def seen_by(self) -> Visibility:
        return Visibility(self.visibility) if self.visibility else DEFAULT_VISIBILITY

    @property
    def has_when(self) -> bool:
        return self.frequency == "needed" or (self.frequency is not None and self.at_time is not None)


Agreement = Turn[AgreementDraft]
#: "Wanneer?": the choice, its label, the next step and the rhythm it sets.
WHEN: dict[str, tuple[str, dict[str, object]]] = {
    "weekly": ("weekday", {"frequency": Frequency.WEEKLY.value, "interval": 1}),
    "biweekly": ("weekday", {"frequency": Frequency.WEEKLY.value, "interval": 2}),
    "monthly": ("day_of_month", {"frequency": Frequency.MONTHLY.value, "interval": 1}),
    "once": ("date", {"frequency": Frequency.ONCE.value, "interval": 1}),
    "needed": ("confirm", {"frequency": "needed", "at_time": None}),
}


def _when_label(choice: str) -> str:
    return {
        "weekly": pgettext("button", "Elke week"),
        "biweekly": pgettext("button", "Om de week"),
        "monthly": pgettext("button", "Elke maand"),
        "once": pgettext("button", "Eén keer"),
        "needed": pgettext("button", "Als het nodig is"),
    }[choice]


async def _members(turn: Agreement) -> dict[int, Member]:
    """Who can do something in the circle now. Someone chosen who left meanwhile: a new agreement
    goes back to "Wie doet het?"; a changed one cannot go on (its doer stays)."""
    members = {m.id: m for m in await agreements.doers(turn.session, turn.data.circle_id)}
    data = turn.data
    if turn.step != "doer" and (data.doer not in members or (data.backup and data.backup not in members)):
        if data.agreement_id:
            raise authz.NotAllowed(authz.Action.MANAGE_AGREEMENT)
        turn.go("doer")
    return members


def _doer_name(members: dict[int, Member], turn: Agreement) -> str:
    doer = members.get(turn.data.doer or 0)
    return doer.display_name if doer else "?"


async def _ask(turn: Agreement) -> Reply:
    """The question of the step the draft is at (after checking who is still there)."""
    members = await _members(turn)
    name = _doer_name(members, turn)
    match turn.step:
        case "doer":
            if not members:
                return say(_("Er doet nog niemand mee in de kring. Eerst moet iemand van het gezin meedoen."))
            return _("Wie doet het?"), rows([turn.button(m.display_name, "doer", m.id) for m in members.values()])
        case "what":
            return say(_("Wat gaat {name} doen? Schrijf het kort op, zoals 'boodschappen doen'.").format(name=name))
        case "for_whom":
            return _("Voor wie is het? Bijvoorbeeld 'voor Sam'. Of druk op 'Overslaan'."), turn.skip_button()
        case "kind":
            return _("Wat voor hulp is het?"), rows(
                [turn.button(support_label(k), "kind", k.value) for k in SupportKind], 1
            )
        case "when":
            return _("Wanneer?"), rows([turn.button(_when_label(c), "when", c) for c in WHEN])
        case "weekday":
            return _("Op welke dag?"), rows([turn.button(weekday_name(d), "day", d) for d in range(7)], 3)
        case "day_of_month":
            return say(_("Op welke dag van de maand? Schrijf een getal van 1 tot 28."))
        case "date":
            return say(_("Op welke dag? Schrijf bijvoorbeeld 12-12."))
        case "time":
            return _("Hoe laat? Kies een tijd, of schrijf er een, zoals 15:30."), rows(
                [turn.button(t, "time", i) for i, t in enumerate(TIMES)], 3
            )
        case "backup":
            others = [turn.button(m.display_name, "backup", m.id) for m in members.values() if m.id != turn.data.doer]
            others.append(turn.button(pgettext("button", "Niemand"), "backup", 0))
            return _("Wie springt in als het {name} een keer niet lukt?").format(name=name), rows(others)
        case "visibility":
            return _("Wie mag deze afspraak zien?"), rows(
                [
                    turn.button(pgettext("button", "Iedereen in de kring"), "visibility", Visibility.CIRCLE.value),
                    turn.button(
                        _("Alleen het gezin en {name}").format(name=name),
                        "visibility",
                        Visibility.FAMILY_AND_DOER.value,
                    ),
                ],
                1,
            )
    return _summary(turn.data, members), InlineKeyboardMarkup(
        [
            [turn.button("✅ " + pgettext("button", "Opslaan"), "save", 1)],
            [
                turn.button(pgettext("button", "Voor wie?"), "change", "for_whom"),
                turn.button(pgettext("button", "Soort hulp"), "change", "kind"),
            ],
            [
                turn.button(pgettext("button", "Wie springt in?"), "change", "backup"),
                turn.button(pgettext("button", "Wie ziet het?"), "change", "visibility"),
            ],
            [turn.button(pgettext("button", "Stop"), "stop", 1)],
        ]
    )


def _summary(data: AgreementDraft, members: dict[int, Member]) -> str:
    """Every choice in words, the defaults too, so nothing is decided unseen."""
    assert data.doer is not None
    doer = members[data.doer].display_name
    head = f"{doer}: {data.what}"
    if data.for_whom:
        head += " " + _("(voor {name})").format(name=data.for_whom)
    backup = members.get(data.backup or 0)
    lines = [
        _("Klopt dit?"),
        head,
        describe_when(data.when),
        support_label(data.support_kind),
        _("Als het niet lukt: {name}").format(name=backup.display_name)
        if backup is not None
        else _("Niemand springt in als het niet lukt."),
        _("Iedereen in de kring ziet dit.")
        if data.seen_by == Visibility.CIRCLE
        else _("Alleen het gezin en {name} zien dit.").format(name=doer),
    ]
    return "\n".join(lines)


# -- what each step accepts --------------------------------------------------------------------


def _then(turn: Agreement, **changes: object) -> None:
    """After a change from the summary: back to it (a draft from before the summary, which asked
    these before "Wanneer?", goes on to "Wanneer?")."""
    turn.go(turn.step, **changes)
    turn.go("confirm" if turn.data.has_when else "when")


async def _doer(turn: Agreement, name: str, value: str) -> Reply | None:
    doer = callbacks.as_int(value)
    if name != "doer" or doer not in await _members(turn):
        raise callbacks.BadCallbackData(value)
    turn.go("what", doer=doer)
    return None


async def _what(turn: Agreement, text: str) -> Reply | None:
    what = circles.clean_name(text, agreements.MAX_WHAT)
    if what is None:
        return too_long(agreements.MAX_WHAT)
    turn.go("when", what=what)
    return None


async def _for_whom(turn: Agreement, text: str) -> Reply | None:
    for_whom = circles.clean_name(text, agreements.MAX_FOR_WHOM)
    if for_whom is None:
        return too_long(agreements.MAX_FOR_WHOM)
    _then(turn, for_whom=for_whom)
    return None


async def _no_for_whom(turn: Agreement, name: str, value: str) -> Reply | None:
    if name != "skip":
        raise callbacks.BadCallbackData(name)
    _then(turn, for_whom=None)
    return None


async def _kind(turn: Agreement, name: str, value: str) -> Reply | None:
    if name != "kind":
        raise callbacks.BadCallbackData(name)
    _then(turn, kind=callbacks.as_enum(SupportKind, value).value)
    return None


async def _when(turn: Agreement, name: str, value: str) -> Reply | None:
    if name != "when" or value not in WHEN:
        raise callbacks.BadCallbackData(value)
    step, rhythm = WHEN[value]
    turn.go(step, **rhythm)
    return None


async def _weekday(turn: Agreement, name: str, value: str) -> Reply | None:
    day = callbacks.as_int(value)
    if name != "day" or day > 6:
        raise callbacks.BadCallbackData(value)
    turn.go("time", weekday=day)
    return None


async def _day_of_month(turn: Agreement, text: str) -> Reply | None:
    day = text.strip()
    if not (day.isascii() and day.isdigit() and 1 <= int(day) <= 28):
        return say(_("Schrijf een getal van 1 tot 28."))
    turn.go("time", day_of_month=int(day))
    return None


async def _date(turn: Agreement, text: str) -> Reply | None:
    on = agreements.parse_date(text, turn.today)
    if on is None:
        return say(_("Dat is geen dag die ik ken. Schrijf bijvoorbeeld 12-12."))
    turn.go("time", on_date=on.isoformat())
    return None


async def _time(turn: Agreement, text: str) -> Reply | None:
    at = agreements.parse_time(text)
    if at is None:
        return say(_("Dat is geen tijd die ik ken. Schrijf bijvoorbeeld 15:00."))
    turn.go("confirm", at_time=at)
    return None


async def _time_pressed(turn: Agreement, name: str, value: str) -> Reply | None:
    if name != "time":
        raise callbacks.BadCallbackData(name)
    turn.go("confirm", at_time=callbacks.as_choice(TIMES, value))
    return None


async def _backup(turn: Agreement, name: str, value: str) -> Reply | None:
    backup = callbacks.as_int(value)
    if name != "backup" or (backup and backup not in set(await _members(turn)) - {turn.data.doer}):
        raise callbacks.BadCallbackData(value)
    _then(turn, backup=backup or None)
    return None


async def _visibility(turn: Agreement, name: str, value: str) -> Reply | None:
    if name != "visibility":
        raise callbacks.BadCallbackData(name)
    _then(turn, visibility=callbacks.as_enum(Visibility, value).value)
    return None


async def _confirm(turn: Agreement, name: str, value: str) -> Reply | None:
    if name == "change" and value in CHANGES:
        turn.go(value)
        return None
    if name != "save" or not turn.data.has_when:
        raise callbacks.BadCallbackData(name)
    data = turn.data
    assert data.doer is not None
    turn.finish()
    if data.agreement_id:
        changed = await agreements.update(
            turn.session,
            data.agreement_id,
            person_id=turn.person_id,
            what=data.what,
            for_whom=data.for_whom,
            support_kind=data.support_kind,
            when=data.when,
            backup_member_id=data.backup,
            visibility=data.seen_by,
            now=turn.now,
        )
        view = await agreements.view(turn.session, changed)
        return say(_("Aangepast. Zo staat het nu in het plan:") + "\n\n" + agreement_block(view))
    agreement = await agreements.make(
        turn.session,
        data.circle_id,
        person_id=turn.person_id,
        doer_member_id=data.doer,
        what=data.what,
        for_whom=data.for_whom,
        support_kind=data.support_kind,
        when=data.when,
        backup_member_id=data.backup,
        visibility=data.seen_by,
        now=turn.now,
    )
    if agreement.status == AgreementStatus.SUGGESTED:
        return say(_("Bewaard als voorstel. Iemand die de kring regelt, kijkt of het goed is."))
    if agreement.status == AgreementStatus.ACTIVE:
        return say(_("Bewaard. De afspraak staat nu in het plan. Bekijk het met /plan."))
    view = await agreements.view(turn.session, agreement)
    return say(_("Bewaard. Ik vraag {name} of dat goed is.").format(name=view.doer.display_name))


async def _may_make(turn: Agreement) -> None:
    await agreements.maker_role(turn.session, turn.data.circle_id, turn.person_id)


MAKE = Flow(
    "agreement",
    AgreementDraft,
    action="agr",
    check=_may_make,
    gone=lambda: _("Deze afspraak is al veranderd. Er is niets aangepast."),
    steps={
        "doer": Step(_ask, pressed=_doer),
        "what": Step(_ask, typed=_what),
        "when": Step(_ask, pressed=_when),
        "weekday": Step(_ask, pressed=_weekday),
        "day_of_month": Step(_ask, typed=_day_of_month),
        "date": Step(_ask, typed=_date),
        "time": Step(_ask, typed=_time, pressed=_time_pressed),
        "confirm": Step(_ask, pressed=_confirm),
        # changed from the summary (a draft from before it may also wait at one of these)
        "for_whom": Step(_ask, typed=_for_whom, pressed=_no_for_whom),
        "kind": Step(_ask, pressed=_kind),
        "backup": Step(_ask, pressed=_backup),
        "visibility": Step(_ask, pressed=_visibility),
    },
)


def intro() -> str:
    return _("We maken een afspraak: wie doet wat?") + " " + _("Stoppen? Stuur /cancel.")


def change_draft(view: agreements.AgreementView) -> AgreementDraft:
    """A change starts from what is agreed now: only what and when are asked again."""
    agreement = view.agreement
    return AgreementDraft(
        agreement.circle_id,
        agreement.id,
        doer=view.doer.id,
        for_whom=agreement.for_whom,
        kind=agreement.support_kind.value,
        backup=view.backup.id if view.backup is not None else None,
        visibility=agreement.visibility.value,
    )


def change_intro(view: agreements.AgreementView) -> str:
    return _("Je past deze afspraak aan:") + "\n" + agreement_block(view) + "\n\n" + _("Stoppen? Stuur /cancel.")


# -- "Liever anders": why, if they want to say --------------------------------------------------


@dataclass(frozen=True)
class DeclineDraft:
    agreement_id: int


def answered(accepted: bool) -> str:
    if accepted:
        return _("Dank je wel! De afspraak staat nu in het plan. Het gezin weet het.")
    return _("Dank je wel voor je eerlijke antwoord. Het gezin weet het.")


async def _ask_reason(turn: Turn[DeclineDraft]) -> Reply:
    await agreements.check_can_answer(turn.session, turn.data.agreement_id, person_id=turn.person_id)
    return _("Goed dat je het zegt. Wil je vertellen waarom? Schrijf het kort op. Of druk op 'Overslaan'."), (
        turn.skip_button()
    )


async def _decline(turn: Turn[DeclineDraft], reason: str | None) -> Reply:
    turn.finish()
    await agreements.answer(
        turn.session, turn.data.agreement_id, person_id=turn.person_id, accept=False, reason=reason, now=turn.now
    )
    return say(answered(False))


async def _reason(turn: Turn[DeclineDraft], text: str) -> Reply | None:
    reason = circles.clean_name(text, agreements.MAX_WHAT)
    if reason is None:
        return too_long(agreements.MAX_WHAT)
    return await _decline(turn, reason)


async def _no_reason(turn: Turn[DeclineDraft], name: str, value: str) -> Reply | None:
    if name != "skip":
        raise callbacks.BadCallbackData(name)
    return await _decline(turn, None)


DECLINE = Flow(
    "decline",
    DeclineDraft,
    action="agd",
    gone=lambda: _("Deze afspraak is al veranderd. Er is niets aangepast."),
    steps={"reason": Step(_ask_reason, typed=_reason, pressed=_no_reason)},
)
