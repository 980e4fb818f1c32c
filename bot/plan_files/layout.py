"""The plan as a page to look at: the picture of the circle, the printable A4 plan and the picture
of how it went, as HTML and CSS rendered by :mod:`bot.plan_files.render`. Every text goes through
gettext and is escaped here.

The map: the family in the middle, up to eight people around it in a three-by-three grid (the
first four above, right, below and left), a line from the family to each. Each person's card says
what they do (the kind of support as an icon, a few words, for whom) and when, and is as tall as
that. More people are listed under the map.
Right-to-left languages turn the whole page around (``dir="rtl"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, tzinfo
from html import escape

from bot.db.models import CheckinAnswerKind, FeltSupport, MemberRole
from bot.i18n import _, current_language, format_date, is_right_to_left, ngettext, pgettext
from bot.plan_files import render
from bot.plan_files.fonts import ICON_FAMILY, TEXT_FAMILIES
from bot.plan_files.render import PICTURE_WIDTH
from bot.plan_text import (
    SUPPORT_ICONS,
    describe_when,
    status_note,
    step_line,
    support_label,
)
from bot.services.agreements import AgreementView, When
from bot.services.how_it_went import HowItWent
from bot.services.plan_view import PlanView
from bot.texts import answer_labels, not_an_emergency_service

_NUMBER = re.compile(r"\+?\d[\d \-]*\d")
#: Grid cells (row, column) around the middle (1, 1), in the order they are filled.
SLOTS = [(0, 1), (1, 2), (2, 1), (1, 0), (0, 2), (2, 2), (2, 0), (0, 0)]
MAX_ON_CARD = 3  # agreements written on one card; the rest are counted
MAX_WORDS = 60  # characters of an agreement's "what" on a card
MAX_LISTED = 12  # agreements of the people under the map (beyond the eight around it)
PAD = 5  # CSS pixels around a card in its cell

#: Colours of text and marks, and the backgrounds they stand on (tests check their contrast).
INK = "#1d2733"
MUTED = "#4a5868"
PAGE = "#ffffff"
FAMILY_CARD = "#fff8ec"
MIDDLE = "#fde7c2"

_STYLE = """
* { box-sizing: border-box; }
html { font-family: %(fonts)s; color: %(ink)s; background: %(page)s; }
body { margin: 0; }
.icon { font-family: '%(icons)s'; }
h1 { font-size: %(h1)spx; margin: 0 0 2px 0; }
h2 { font-size: %(h2)spx; margin: 0.8em 0 0.35em 0; }
.made { color: %(muted)s; font-size: %(small)spx; margin-bottom: 10px; }
.map { display: grid; width: %(map_width)dpx; margin: 0 auto; }
.cell { padding: 5px; }
.cell.top { align-self: end; padding-bottom: 0; } .cell.below { align-self: start; padding-top: 0; }
.cell.beside { align-self: center; } .cell.column-0 { padding-right: 0; } .cell.column-2 { padding-left: 0; }
.cell.beside.column-1 { position: relative; align-self: stretch; padding: 0; }
.cell svg { position: absolute; left: 0; top: 0; width: 100%%; height: 100%%; overflow: visible; }
.card, .middle { direction: %(direction)s; }
.card { position: relative; z-index: 1; background: %(page)s; border: 2px solid #7fa7d9; border-radius: 12px; padding: 0.4em 0.6em;
        font-size: %(card)spx; line-height: 1.3; }
.card.family { border-color: #e0a040; background: %(family_card)s; }
.card .name { font-weight: bold; font-size: %(name)spx; margin-bottom: 0.15em; }
.card .what { margin-top: 0.25em; }
.for { display: inline-block; }  /* "(voor Sam)" moves to the next line as a whole */
.card .when, .card .backup, .card .note, .card .more { color: %(muted)s; font-size: %(small)spx; }
.middle { position: absolute; top: 50%%; z-index: 1; border-radius: 50%%; background: %(middle)s; border: 3px solid #e0a040;
          text-align: center; display: flex; flex-direction: column; justify-content: center; padding: 10px; }
.middle .circle { font-weight: bold; font-size: %(name)spx; }
.middle .people { font-size: %(small)spx; margin-top: 4px; }
.legend { color: %(muted)s; font-size: %(small)spx; text-align: center; margin: 6px 0; }
.extra { font-size: %(card)spx; margin: 6px 0; }
.steps p, .signs p { margin: 0.2em 0; font-size: %(text)spx; }
.help { margin-top: 0.9em; border-top: 3px solid #c0392b; padding-top: 6px; font-size: %(small)spx; }
.help, .steps, .signs { break-inside: avoid; }
.help p { margin: 2px 0; }
.help p:first-child { font-weight: bold; }
"""

#: Text sizes in CSS pixels. A picture is drawn at twice its size for a phone; on paper 16 pixels
#: are 12 points, the smallest size on the printed plan.
PHONE_TEXT = {"h1": 22, "h2": 17, "name": 14, "card": 12.5, "text": 13, "small": 12}
PAPER_TEXT = {"h1": 28, "h2": 21, "name": 18, "card": 16, "text": 16, "small": 16}
#: The printed plan's text is set as large as one page allows, up to this many times its smallest.
PRINT_SCALES = (1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8)
_MM = 96 / 25.4
PAPER_MARGIN = 10  # mm
#: Height on an A4 page that content may take, in CSS pixels from the top of the page.
PAPER_ROOM = (297 - PAPER_MARGIN) * _MM

_PRINT_STYLE = f"@page {{ size: A4; margin: {PAPER_MARGIN}mm; }}"

_PICTURE_STYLE = """
@page { size: %(width)dpx %(height)dpx; margin: 0; }
body { padding: 14px 12px; width: %(width)dpx; }
"""


@dataclass(frozen=True)
class Person:
    """One card on the map: a person and what they do."""

    name: str
    is_family: bool
    agreements: list[AgreementView]


@dataclass(frozen=True)
class Look:
    """How large things are on a page: the map's width, the family's circle, the text."""

    width: int
    diameter: int
    text: dict[str, float]
    css_class: str = ""

    @property
    def cell_width(self) -> int:
        return self.width // 3


PHONE = Look(516, 160, PHONE_TEXT)


def paper(scale: float) -> Look:
    text = {name: round(size * scale, 1) for name, size in PAPER_TEXT.items()}
    width = int((210 - 2 * PAPER_MARGIN) * _MM) - 1  # the page's width inside its margins
    return Look(width, min(width // 3 - 2 * PAD, round(170 * scale)), text, "paper")


def _page(body: str, style: str, look: Look) -> str:
    code = current_language()
    direction = "rtl" if is_right_to_left(code) else "ltr"
    fonts = ", ".join(f"'{family}'" for family in TEXT_FAMILIES) + ", sans-serif"
    css = (
        _STYLE
        % {
            "fonts": fonts,
            "icons": ICON_FAMILY,
            "direction": direction,
            "map_width": look.width,
            "ink": INK,
            "muted": MUTED,
            "page": PAGE,
            "family_card": FAMILY_CARD,
            "middle": MIDDLE,
            **look.text,
        }
        + style
    )
    return (
        f'<!DOCTYPE html><html lang="{escape(code)}" dir="{direction}"><head><meta charset="utf-8">'
        f'<style>{css}</style></head><body class="{look.css_class}">{body}<div id="{render.END}"></div></body></html>'
    )


def people_around(view: PlanView) -> list[Person]:
    """Everyone who does something, in the order they first appear in the plan."""
    people: dict[int, Person] = {}
    for agreement in view.agreements:
        doer = agreement.doer
        if doer.id not in people:
            people[doer.id] = Person(doer.display_name, doer.role == MemberRole.FAMILY, [])
        people[doer.id].agreements.append(agreement)
    return list(people.values())


def _tag(name: str, text: str, *, css: str | None = None, icon: str | None = None) -> str:
    """An element with one text in it (escaped), maybe a class, maybe an icon before the text."""
    attributes = f' class="{css}"' if css else ""
    return f"<{name}{attributes}>" + (_icon(icon) + " " if icon else "") + escape(text) + f"</{name}>"


def _escaped_numbers_left_to_right(text: str) -> str:
    """``text`` escaped, its phone numbers reading left to right, also in an Arabic or Persian sentence."""
    parts, end = [], 0
    for match in _NUMBER.finditer(text):
        parts += [escape(text[end : match.start()]), f'<bdi dir="ltr">{escape(match.group(0))}</bdi>']
        end = match.end()
    return "".join(parts) + escape(text[end:])


def _icon(emoji: str) -> str:
    return f'<span class="icon">{emoji}</span>'


def _short(text: str, limit: int = MAX_WORDS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _isolated(template: str, **names: str) -> str:
    """``template`` escaped, with each name set apart (``<bdi>``): a Latin name in an Arabic sentence,
    or an Arabic one in a Dutch sentence, keeps its own direction and leaves the sentence's alone."""
    return escape(template).format(**{key: f"<bdi>{escape(name)}</bdi>" for key, name in names.items()})


def _when(view: AgreementView) -> str:
    """When, with the time kept to the word before it ("om 15:00" never breaks apart)."""
    text = describe_when(When.from_schedule(view.schedule))
    if view.schedule is not None:
        at = view.schedule.at_time.strftime("%H:%M")
        text = text.replace(" " + at, "\u00a0" + at)
    return text


def _agreement_lines(view: AgreementView, *, short: bool) -> str:
    agreement = view.agreement
    what = _short(agreement.what) if short else agreement.what
    for_whom = (
        f' <span class="for">{_isolated(_("(voor {name})"), name=agreement.for_whom)}</span>'
        if agreement.for_whom
        else ""
    )
    lines = [
        f'<div class="what">{_icon(SUPPORT_ICONS[agreement.support_kind])} {escape(what)}{for_whom}</div>',
        _tag("div", _when(view), css="when"),
    ]
    if view.backup is not None:
        lines.append(
            f'<div class="backup">{_isolated(_("Als het niet lukt: {name}"), name=view.backup.display_name)}</div>'
        )
    note = status_note(view)
    if note:
        lines.append(_tag("div", f"({note})", css="note"))
    return "".join(lines)


def _more(count: int, *, css: str) -> str:
    """The agreements left out here: /plan has them all."""
    return _tag(
        "div",
        ngettext("en nog {count} afspraak (zie /plan)", "en nog {count} afspraken (zie /plan)", count).format(
            count=count
        ),
        css=css,
    )


def _card(person: Person, number: int) -> str:
    shown = person.agreements[:MAX_ON_CARD]
    more = len(person.agreements) - len(shown)
    body = "".join(_agreement_lines(view, short=True) for view in shown)
    if more:
        body += _more(more, css="more")
    css = "card family" if person.is_family else "card"
    return f'<div class="{css}" id="card-{number}"><div class="name">{escape(person.name)}</div>{body}</div>'


#: Where a line from the family's middle ends, per row or column: a little into the card, which
#: covers it (as a share of the middle cell, which the lines are drawn in).
_LINE_END = ("-3%", "50%", "103%")


def _map(view: PlanView, people: list[Person], look: Look) -> str:
    """The family in the middle, the people around it, on a three-by-three grid whose rows are as
    tall as their tallest card: cards above the family stand on their row, those below hang from
    it, those beside it are centred. Each card touches the middle cell, so the lines from the
    family (drawn in that cell) reach every card, whatever its height."""
    right_to_left = is_right_to_left(current_language())
    cells: dict[tuple[int, int], str] = {}
    lines = []
    for number, (person, (row, column)) in enumerate(zip(people, SLOTS, strict=False)):
        if right_to_left:
            column = 2 - column  # the first person stands on the reader's side
        cells[row, column] = _card(person, number)
        lines.append(
            f'<line x1="50%" y1="50%" x2="{_LINE_END[column]}" y2="{_LINE_END[row]}" '
            'stroke="#9bb4d3" stroke-width="4" stroke-linecap="round"/>'
        )
    names = ", ".join(member.display_name for member in view.family)
    middle = (
        f'<svg xmlns="http://www.w3.org/2000/svg">{"".join(lines)}</svg>'
        f'<div class="middle" style="width:{look.diameter}px; height:{look.diameter}px; '
        f'margin-top:{-look.diameter / 2}px; left:{(look.cell_width - look.diameter) / 2}px">'
        f'<div class="circle">{escape(view.circle.name)}</div>'
        + (f'<div class="people">{escape(names)}</div>' if names else "")
        + "</div>"
    )
    cells[1, 1] = middle
    rows = sorted({1} | {row for row, _column in cells})
    grid = "".join(
        f'<div class="cell {("top", "beside", "below")[row]} column-{column}"'
        + (f' style="min-height:{look.diameter}px"' if (row, column) == (1, 1) else "")
        + f">{cells.get((row, column), '')}</div>"
        for row in rows
        for column in range(3)
    )
    # the map's geometry is the same both ways; the text on it follows the language
    return f'<div class="map" dir="ltr" style="grid-template-columns: repeat(3, {look.cell_width}px)">{grid}</div>'


def _extra(people: list[Person]) -> str:
    """The people who did not fit around the map, as a list."""
    rest = people[len(SLOTS) :]
    if not rest:
        return ""
    listed = [(person, view) for person in rest for view in person.agreements]
    items = [
        f'<div class="extra"><b>{escape(person.name)}</b>: {_agreement_lines(view, short=True)}</div>'
        for person, view in listed[:MAX_LISTED]
    ]
    more = len(listed) - MAX_LISTED
    if more > 0:  # the page has to end somewhere; /plan has them all
        items.append(_more(more, css="extra"))
    return _tag("h2", _("Ook in de kring")) + "".join(items)


def _safety(view: PlanView) -> str:
    parts = [_tag("h2", _("Als het misgaat"), icon="🆘")]
    if view.safety is not None:
        if view.show_signs and view.safety.signs:
            parts.append(
                '<div class="signs"><p>'
                + _tag("b", _("Hieraan merken we het:"))
                + "</p>"
                + "".join(f"<p>• {escape(sign.text)}</p>" for sign in view.safety.signs)
                + "</div>"
            )
        if view.safety.steps:
            parts.append(
                '<div class="steps"><p>'
                + _tag("b", _("Dit doen we dan:"))
                + "</p>"
                + "".join(
                    f"<p>{_escaped_numbers_left_to_right(step_line(number, step))}</p>"
                    for number, step in enumerate(view.safety.steps, 1)
                )
                + "</div>"
            )
        else:
            parts.append('<div class="steps">' + _tag("p", _("Nog niets afgesproken.")) + "</div>")
    elif view.named_steps or view.shared_steps:
        if view.named_steps:
            parts.append(
                '<div class="steps">' + _tag("p", _("Als het misgaat, kan het gezin jou om hulp vragen.")) + "</div>"
            )
        if view.shared_steps:  # the family chose to share these with this person
            parts.append(
                '<div class="steps"><p>'
                + _tag("b", _("Dit doet het gezin dan:"))
                + "</p>"
                + "".join(
                    f"<p>{_escaped_numbers_left_to_right(step_line(number, step))}</p>"
                    for number, step in enumerate(view.shared_steps, 1)
                )
                + "</div>"
            )
    else:
        return ""
    return "".join(parts)


def _helplines() -> str:
    lines = not_an_emergency_service().split("\n")
    return '<div class="help">' + "".join(f"<p>{_escaped_numbers_left_to_right(line)}</p>" for line in lines) + "</div>"


def _heading(view: PlanView, today: date) -> str:
    return _tag("h1", _("Het plan van {circle}").format(circle=view.circle.name), icon="📋") + _tag(
        "div", _("Gemaakt op {date}").format(date=format_date(today)), css="made"
    )


def _no_agreements(people: list[Person]) -> str:
    return "" if people else _tag("p", _("Nog geen afspraken."), css="extra")


def _shown(people: list[Person]) -> list[AgreementView]:
    """The agreements the page writes out (on the cards and in the list under the map)."""
    on_cards = [view for person in people[: len(SLOTS)] for view in person.agreements[:MAX_ON_CARD]]
    listed = [view for person in people[len(SLOTS) :] for view in person.agreements][:MAX_LISTED]
    return on_cards + listed


def _legend(people: list[Person]) -> str:
    """Which icon means which kind of support: only the kinds on this page."""
    used = {view.agreement.support_kind for view in _shown(people)}
    labels = [
        f"{_icon(icon)}\u00a0{escape(support_label(kind, with_icon=False))}"
        for kind, icon in SUPPORT_ICONS.items()
        if kind in used
    ]
    return f'<p class="legend">{" · ".join(labels)}</p>' if labels else ""


def _plan_body(view: PlanView, today: date, look: Look) -> str:
    """The map, the people who did not fit on it, what to do when it goes wrong, the helplines."""
    people = people_around(view)
    return (
        _heading(view, today)
        + _map(view, people, look)
        + _legend(people)
        + _no_agreements(people)
        + _extra(people)
        + _safety(view)
        + _helplines()
    )


def picture_page(view: PlanView, today: date) -> str:
    """The page the picture for a phone is drawn from."""
    style = _PICTURE_STYLE % {"width": PICTURE_WIDTH, "height": render.PICTURE_MAX_HEIGHT}
    return _page(_plan_body(view, today, PHONE), style, PHONE)


def circle_picture(view: PlanView, today: date) -> render.Picture:
    """The picture for a phone."""
    return render.png(picture_page(view, today))


def printable_page(view: PlanView, today: date, scale: float = 1.0) -> str:
    """The A4 plan with its text ``scale`` times its smallest size (12 points)."""
    look = paper(scale)
    return _page(_plan_body(view, today, look), _PRINT_STYLE, look)


def printable_pages(view: PlanView, today: date) -> list[tuple[float, str]]:
    """The A4 plan at every scale it may be set at (built here, in the language of whoever asked;
    laid out where it is rendered)."""
    return [(scale, printable_page(view, today, scale)) for scale in PRINT_SCALES]


def printable_plan(view: PlanView, today: date) -> render.Pdf:
    """The "koelkastplan": on A4, its text as large as one page allows and never under 12 points; a
    long plan goes on to a second page rather than getting smaller."""
    return render.fitted(printable_pages(view, today), room=PAPER_ROOM)


# -- how it went --------------------------------------------------------------------------------

_CHART_STYLE = """
.row { display: flex; align-items: center; margin: 5px 0; font-size: 12.5px; }
.row .label { width: 150px; flex: none; padding: 0 6px; }
.bar { display: flex; flex: 1; height: 26px; border-radius: 6px; overflow: hidden; background: #eef1f4; }
.bar div { color: %(on_bar)s; font-weight: bold; font-size: 13px; text-align: center; line-height: 26px; }
.keys { font-size: 12px; margin: 4px 0 8px 0; }
.keys span.key { display: inline-block; margin: 2px 10px 2px 0; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin: 0 4px; }
.empty { color: %(muted)s; font-size: 12.5px; }
"""
#: The colours of the bars: each carries its count in white, and each stands out on the white
#: page as a key (both at least 4.5:1, WCAG AA).
ON_BAR = "#ffffff"
ANSWER_COLOURS = {
    CheckinAnswerKind.GOOD: "#2e7d32",
    CheckinAnswerKind.SO_SO: "#8a6300",
    CheckinAnswerKind.NOT_GOOD: "#c2410c",
    CheckinAnswerKind.WANT_TO_TALK: "#7b3fb0",
}
NO_ANSWER = "#5f6b78"
FELT_COLOURS = {FeltSupport.YES: "#2e7d32", FeltSupport.SOMEWHAT: "#8a6300", FeltSupport.NO: "#c2410c"}
OUTCOME_COLOURS = ("#2e7d32", "#1f63b5", "#c2410c", NO_ANSWER)


def _bar(counts: list[tuple[int, str]]) -> str:
    total = sum(count for count, _colour in counts) or 1
    return (
        '<div class="bar">'
        + "".join(
            f'<div style="width:{100 * count / total:.2f}%; background:{colour}">{count}</div>'
            for count, colour in counts
            if count
        )
        + "</div>"
    )


def _keys(labels: list[tuple[str, str]]) -> str:
    return (
        '<div class="keys">'
        + "".join(
            f'<span class="key"><span class="swatch" style="background:{colour}"></span>{_with_icon(label)}</span>'
            for label, colour in labels
        )
        + "</div>"
    )


def _with_icon(label: str) -> str:
    """A label that starts with an emoji: the emoji from the icon font, the words escaped."""
    icon, _space, words = label.partition(" ")
    return f"{_icon(icon)} {escape(words)}" if words and not icon[:1].isalnum() else escape(label)


def how_it_went_page(went: HowItWent, tz: tzinfo) -> str:
    period = _("{start} tot {end}").format(
        start=format_date(went.since.astimezone(tz).date(), "d MMMM"),
        end=format_date(went.until.astimezone(tz).date(), "d MMMM yyyy"),
    )
    parts = [
        _tag("h1", _("Hoe ging het? {circle}").format(circle=went.circle_name), icon="📈"),
        _tag("div", period, css="made"),
        _tag("h2", _("De check-ins")),
    ]
    labels = answer_labels()
    if went.rounds:
        parts.append(
            _keys(
                [(labels[kind], colour) for kind, colour in ANSWER_COLOURS.items()] + [(_("geen antwoord"), NO_ANSWER)]
            )
        )
        for checkin in went.rounds:
            counts = [(checkin.answers[kind], colour) for kind, colour in ANSWER_COLOURS.items()]
            parts.append(
                f'<div class="row"><div class="label">{escape(format_date(checkin.occurs_at.astimezone(tz).date(), "d MMM"))}</div>'
                f"{_bar([*counts, (checkin.no_answer, NO_ANSWER)])}</div>"
            )
    else:
        parts.append(_tag("p", _("Geen check-ins in deze drie maanden."), css="empty"))
    parts.append(_tag("h2", _("De afspraken")))
    if went.agreements:
        # words only: the colour is the mark (a grey emoji on grey could not be seen)
        names = [_("gedaan"), _("iemand anders sprong in"), _("niet gelukt"), _("geen antwoord")]
        parts.append(_keys(list(zip(names, OUTCOME_COLOURS, strict=True))))
        for result in went.agreements:
            label = f"<b>{escape(result.doer)}</b><br>{escape(_short(result.what, 40))}"
            outcomes = [result.done, result.by_backup, result.not_done, result.unknown]
            parts.append(
                f'<div class="row"><div class="label">{label}</div>'
                f"{_bar(list(zip(outcomes, OUTCOME_COLOURS, strict=True)))}</div>"
            )
    else:
        parts.append(_tag("p", _("Geen afspraken met een vast moment in deze drie maanden."), css="empty"))
    parts += _felt_support(went, tz)
    style = _PICTURE_STYLE % {"width": PICTURE_WIDTH, "height": render.PICTURE_MAX_HEIGHT} + _CHART_STYLE % {
        "on_bar": ON_BAR,
        "muted": MUTED,
    }
    return _page("".join(parts), style, PHONE)


def _source_words() -> dict[str, str]:
    return {
        "family": _("familie"),
        "friends": _("vrienden"),
        "neighbours": _("buren"),
        "network": _("iemand uit de kring"),
        "professional": _("de hulpverlener"),
    }


def _felt_support(went: HowItWent, tz: tzinfo) -> list[str]:
    """Felt support per review, next to what was done: one answer is one kind of support of one
    person. The family and the young person each have their own bar."""
    parts = [_tag("h2", _("Voelden jullie je gesteund?"))]
    if not went.support:
        return [*parts, _tag("p", _("Nog geen antwoorden over steun in deze drie maanden."), css="empty")]
    names = [_("ja"), _("een beetje"), _("nee")]
    parts.append(_keys(list(zip(names, FELT_COLOURS.values(), strict=True))))
    parts.append(_tag("p", _("Elk antwoord is één soort steun van één persoon."), css="empty"))
    young = ", ".join(went.young) or _("de jongere")
    for counted in went.support:
        day = escape(format_date(counted.occurs_at.astimezone(tz).date(), "d MMM"))
        for who, felt in ((pgettext("how it went", "gezin"), counted.family), (young, counted.young)):
            if felt:
                bar = _bar([(felt[kind], colour) for kind, colour in FELT_COLOURS.items()])
                parts.append(f'<div class="row"><div class="label">{day}<br>{escape(who)}</div>{bar}</div>')
    latest = went.support[-1]
    if latest.sources:
        words = _source_words()
        sources = ", ".join(f"{words.get(s, s)} ({n})" for s, n in latest.sources.most_common())
        parts.append(_tag("p", _("De laatste keer kwam steun van: {sources}").format(sources=sources), css="empty"))
    return parts


def how_it_went_picture(went: HowItWent, tz: tzinfo) -> render.Picture:
    return render.png(how_it_went_page(went, tz))
