"""The plan as a page to look at: HTML and CSS for the picture of the circle, the printable A4
plan and the picture of how it went. Every text goes through gettext and is escaped here.

The map: the family in the middle, up to eight people around it in a three-by-three grid (the
first four above, right, below and left), a line from the family to each. Each person's card says
what they do (the kind of support as an icon, a few words) and when. More people are listed under
the map. Right-to-left languages turn the whole page around (``dir="rtl"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, tzinfo
from html import escape

from bot.db.models import CheckinAnswerKind, MemberRole
from bot.i18n import _, current_language, format_date, is_right_to_left, ngettext
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

_STYLE = """
* { box-sizing: border-box; }
html { font-family: %(fonts)s; color: #1d2733; }
body { margin: 0; }
.icon { font-family: '%(icons)s'; }
h1 { font-size: 22px; margin: 0 0 2px 0; }
h2 { font-size: 17px; margin: 14px 0 6px 0; }
.made { color: #5b6776; font-size: 11px; margin-bottom: 10px; }
.map { position: relative; width: %(map_width)dpx; margin: 0 auto; }
.map svg { position: absolute; left: 0; top: 0; }
.cell { position: absolute; width: %(cell_width)dpx; height: %(cell_height)dpx; padding: 5px; }
.card, .middle { direction: %(direction)s; }
.card { height: 100%%; overflow: hidden; background: #ffffff; border: 2px solid #7fa7d9;
        border-radius: 12px; padding: 6px 8px; font-size: 11.5px; line-height: 1.3; }
.card.family { border-color: #e0a040; background: #fff8ec; }
.card .name { font-weight: bold; font-size: 14px; margin-bottom: 3px; }
.card .what { margin-top: 3px; }
.card .when, .card .backup, .card .note, .card .more { color: #4a5868; font-size: 10.5px; }
.middle { position: absolute; border-radius: 50%%; background: #fde7c2; border: 3px solid #e0a040;
          text-align: center; display: flex; flex-direction: column; justify-content: center; padding: 14px; }
.middle .circle { font-weight: bold; font-size: 15px; }
.middle .people { font-size: 11.5px; margin-top: 4px; }
.legend { color: #4a5868; font-size: 10.5px; text-align: center; margin: 4px 0; }
.extra { font-size: 12px; margin: 6px 0; }
.steps p, .signs p { margin: 3px 0; font-size: 13px; }
.help { margin-top: 14px; border-top: 3px solid #c0392b; padding-top: 6px; font-size: 12.5px; }
.help p { margin: 2px 0; }
.help p:first-child { font-weight: bold; }
"""

_PRINT_STYLE = """
@page { size: A4; margin: 12mm; }
h1 { font-size: 28px; } h2 { font-size: 21px; }
.card { font-size: 13px; } .card .name { font-size: 16px; } .card .when, .card .backup, .card .note { font-size: 12px; }
.steps p, .signs p { font-size: 14px; } .help { font-size: 13px; } .extra { font-size: 13px; }
body.level-2 .card { font-size: 11px; } body.level-2 .card .name { font-size: 13px; }
body.level-2 .steps p, body.level-2 .signs p, body.level-2 .extra, body.level-2 .help { font-size: 12px; }
body.level-3 .card, body.level-3 .card .when { font-size: 9px; } body.level-3 .card .name { font-size: 11px; }
body.level-3 .steps p, body.level-3 .signs p, body.level-3 .extra, body.level-3 .help { font-size: 9px; }
body.level-3 h2 { margin: 6px 0 3px 0; font-size: 13px; }
"""

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
class MapSize:
    width: int
    cell_height: int


PHONE = MapSize(516, 196)
PAPER = MapSize(690, 190)


def _page(body: str, style: str, size: MapSize, *, css_class: str = "") -> str:
    code = current_language()
    direction = "rtl" if is_right_to_left(code) else "ltr"
    fonts = ", ".join(f"'{family}'" for family in TEXT_FAMILIES) + ", sans-serif"
    css = (
        _STYLE
        % {
            "fonts": fonts,
            "icons": ICON_FAMILY,
            "direction": direction,
            "map_width": size.width,
            "cell_width": size.width // 3,
            "cell_height": size.cell_height,
        }
        + style
    )
    return (
        f'<!DOCTYPE html><html lang="{escape(code)}" dir="{direction}"><head><meta charset="utf-8">'
        f'<style>{css}</style></head><body class="{css_class}">{body}</body></html>'
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


def _agreement_lines(view: AgreementView, *, short: bool) -> str:
    agreement = view.agreement
    what = _short(agreement.what) if short else agreement.what
    lines = [
        f'<div class="what">{_icon(SUPPORT_ICONS[agreement.support_kind])} {escape(what)}</div>',
        f'<div class="when">{escape(describe_when(When.from_schedule(view.schedule)))}</div>',
    ]
    if view.backup is not None:
        lines.append(
            '<div class="backup">'
            + escape(_("Als het niet lukt: {name}").format(name=view.backup.display_name))
            + "</div>"
        )
    note = status_note(view)
    if note:
        lines.append(f'<div class="note">({escape(note)})</div>')
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


def _card(person: Person) -> str:
    shown = person.agreements[:MAX_ON_CARD]
    more = len(person.agreements) - len(shown)
    body = "".join(_agreement_lines(view, short=True) for view in shown)
    if more:
        body += _more(more, css="more")
    css = "card family" if person.is_family else "card"
    return f'<div class="{css}"><div class="name">{escape(person.name)}</div>{body}</div>'


def _map(view: PlanView, people: list[Person], size: MapSize) -> str:
    cell_width, cell_height = size.width // 3, size.cell_height
    centre = (size.width / 2, 1.5 * cell_height)
    lines, cells = [], []
    right_to_left = is_right_to_left(current_language())
    for person, (row, column) in zip(people, SLOTS, strict=False):
        if right_to_left:
            column = 2 - column  # the first person stands on the reader's side
        x, y = column * cell_width, row * cell_height
        lines.append(
            f'<line x1="{centre[0]}" y1="{centre[1]}" x2="{x + cell_width / 2}" y2="{y + cell_height / 2}" '
            'stroke="#9bb4d3" stroke-width="4" stroke-linecap="round"/>'
        )
        cells.append(f'<div class="cell" style="left:{x}px; top:{y}px">{_card(person)}</div>')
    diameter = min(cell_width, cell_height) - 8
    names = ", ".join(member.display_name for member in view.family)
    middle = (
        f'<div class="middle" style="left:{centre[0] - diameter / 2}px; top:{centre[1] - diameter / 2}px; '
        f'width:{diameter}px; height:{diameter}px"><div class="circle">{escape(view.circle.name)}</div>'
        + (f'<div class="people">{escape(names)}</div>' if names else "")
        + "</div>"
    )
    rows = 3 if len(people) > 2 else 2  # with one or two people the row under the family stays empty
    svg = (
        f'<svg width="{size.width}" height="{rows * cell_height}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(lines)
        + "</svg>"
    )
    # the map's geometry is the same both ways; the text on it follows the language
    return f'<div class="map" dir="ltr" style="height:{rows * cell_height}px">{svg}{"".join(cells)}{middle}</div>'


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
    elif view.named_steps:
        parts.append(
            '<div class="steps">' + _tag("p", _("Als het misgaat, kan het gezin jou om hulp vragen.")) + "</div>"
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


def _plan_body(view: PlanView, today: date, size: MapSize) -> str:
    """The map, the people who did not fit on it, what to do when it goes wrong, the helplines."""
    people = people_around(view)
    return (
        _heading(view, today)
        + _map(view, people, size)
        + _legend(people)
        + _no_agreements(people)
        + _extra(people)
        + _safety(view)
        + _helplines()
    )


def circle_picture(view: PlanView, today: date, *, height: int) -> str:
    """The picture for a phone."""
    return _page(_plan_body(view, today, PHONE), _PICTURE_STYLE % {"width": PICTURE_WIDTH, "height": height}, PHONE)


def printable_plan(view: PlanView, today: date, *, level: int = 1) -> str:
    """The "koelkastplan": one A4 page. ``level`` 2 and 3 set the text smaller, to fit one page."""
    return _page(_plan_body(view, today, PAPER), _PRINT_STYLE, PAPER, css_class=f"level-{level}")


def _legend(people: list[Person]) -> str:
    """Which icon means which kind of support."""
    if not people:
        return ""
    labels = (f"{_icon(icon)} {escape(support_label(kind, with_icon=False))}" for kind, icon in SUPPORT_ICONS.items())
    return f'<p class="legend">{" · ".join(labels)}</p>'


# -- how it went --------------------------------------------------------------------------------

_CHART_STYLE = """
.row { display: flex; align-items: center; margin: 5px 0; font-size: 12px; }
.row .label { width: 150px; flex: none; padding: 0 6px; }
.bar { display: flex; flex: 1; height: 24px; border-radius: 6px; overflow: hidden; background: #eef1f4; }
.bar div { color: #ffffff; font-weight: bold; font-size: 12px; text-align: center; line-height: 24px; }
.keys { font-size: 11.5px; margin: 4px 0 8px 0; }
.keys span.key { display: inline-block; margin: 2px 8px 2px 0; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 3px; margin: 0 3px; }
.empty { color: #5b6776; font-size: 12.5px; }
"""
_ANSWER_COLOURS = {
    CheckinAnswerKind.GOOD: "#3f9a4a",
    CheckinAnswerKind.SO_SO: "#d9a514",
    CheckinAnswerKind.NOT_GOOD: "#e07b2e",
    CheckinAnswerKind.WANT_TO_TALK: "#8e5bbf",
}
_NO_ANSWER = "#9aa5b1"
_OUTCOME_COLOURS = ("#3f9a4a", "#3f7fcf", "#e07b2e", _NO_ANSWER)


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


def how_it_went_picture(went: HowItWent, tz: tzinfo, *, height: int) -> str:
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
                [(labels[kind], colour) for kind, colour in _ANSWER_COLOURS.items()]
                + [(_("geen antwoord"), _NO_ANSWER)]
            )
        )
        for checkin in went.rounds:
            counts = [(checkin.answers[kind], colour) for kind, colour in _ANSWER_COLOURS.items()]
            parts.append(
                f'<div class="row"><div class="label">{escape(format_date(checkin.occurs_at.astimezone(tz).date(), "d MMM"))}</div>'
                f"{_bar([*counts, (checkin.no_answer, _NO_ANSWER)])}</div>"
            )
    else:
        parts.append(_tag("p", _("Geen check-ins in deze drie maanden."), css="empty"))
    parts.append(_tag("h2", _("De afspraken")))
    if went.agreements:
        names = [
            "✅ " + _("gedaan"),
            "🤝 " + _("door de reserve"),
            "❌ " + _("niet gelukt"),
            "❔ " + _("geen antwoord"),
        ]
        parts.append(_keys(list(zip(names, _OUTCOME_COLOURS, strict=True))))
        for result in went.agreements:
            label = f"<b>{escape(result.doer)}</b><br>{escape(_short(result.what, 40))}"
            outcomes = [result.done, result.by_backup, result.not_done, result.unknown]
            parts.append(
                f'<div class="row"><div class="label">{label}</div>'
                f"{_bar(list(zip(outcomes, _OUTCOME_COLOURS, strict=True)))}</div>"
            )
    else:
        parts.append(_tag("p", _("Geen afspraken met een vast moment in deze drie maanden."), css="empty"))
    return _page("".join(parts), _PICTURE_STYLE % {"width": PICTURE_WIDTH, "height": height} + _CHART_STYLE, PHONE)
