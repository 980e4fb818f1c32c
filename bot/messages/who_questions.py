"""The words of the who-questions (/who): each question for the family and for the young person
(informal, ``jongere``), and the list with its one-tap "Nodig uit" buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import _, ngettext, pgettext
from bot.services.who_questions import Name

#: Buttons on the list (not part of a conversation): ``whoinv:who_name_id``, ``whomore:circle_id``.
INVITE = "whoinv"
MORE = "whomore"
#: At most this many "Nodig uit" buttons under the list (the newest names).
MAX_BUTTONS = 8


def question(key: str, *, young: bool) -> str:
    """One who-question, in the reader's language."""
    if young:
        asked = {
            "trust": pgettext("jongere", "Op wie kun jij echt rekenen?"),
            "asks": pgettext("jongere", "Wie vraagt weleens hoe het met jou gaat?"),
            "there": pgettext("jongere", "Wie is er voor je, ook als het even slecht gaat?"),
            "fish": pgettext("jongere", "Stel: je gaat een week weg. Wie zorgt er dan voor je huisdier?"),
            "key": pgettext("jongere", "Aan wie zou jij je huissleutel geven?"),
            "laugh": pgettext("jongere", "Door wie moet jij altijd lachen?"),
            "news": pgettext("jongere", "Wie app je als eerste met goed nieuws?"),
            "talk": pgettext("jongere", "Met wie praat je als iets je dwarszit?"),
            "first": pgettext("jongere", "Stel: het gaat mis. Wie bel je dan als eerste?"),
            "party": pgettext("jongere", "Stel: je geeft een feest. Wie moet er zeker komen?"),
        }
    else:
        asked = {
            "trust": _("Op wie kunnen jullie echt rekenen?"),
            "asks": _("Wie vraagt weleens hoe het met jullie gaat?"),
            "there": _("Wie is er voor jullie, ook als het even slecht gaat?"),
            "fish": _("Jullie gaan een week weg. Wie zorgt er dan voor jullie huisdier of planten?"),
            "key": _("Aan wie geven jullie de sleutel van jullie huis?"),
            "laugh": _("Door wie moeten jullie altijd lachen?"),
            "news": _("Wie appen jullie als eerste met goed nieuws?"),
            "talk": _("Met wie kunnen jullie praten als het zwaar is?"),
            "first": _("Stel: het gaat mis. Wie bellen jullie dan als eerste?"),
            "party": _("Jullie geven een feest. Wie moet er zeker komen?"),
        }
    return asked[key]


def intro(count: int, *, young: bool) -> str:
    if young:
        return "\n".join(
            [
                pgettext("jongere", "Ik stel je een paar vragen over de mensen om je heen."),
                pgettext("jongere", "Alleen jij ziet je lijst. Niemand krijgt een bericht."),
            ]
        )
    return "\n".join(
        [
            ngettext(
                "Ik stel je {count} vraag over de mensen om jullie heen.",
                "Ik stel je {count} vragen over de mensen om jullie heen.",
                count,
            ).format(count=count),
            _("Ik bewaar de namen alleen voor jullie. Niemand krijgt een bericht."),
        ]
    )


def how_to_answer() -> str:
    return _("Stuur een naam. Meer namen? Zet er een komma tussen.")


def counter(number: int, count: int) -> str:
    return _("Vraag {number} van {count}").format(number=number, count=count)


def kept(names: list[str]) -> str:
    return _("Bewaard: {names}.").format(names=", ".join(names))


def full() -> str:
    return _("Je lijst is vol. Ik heb deze naam niet bewaard.")


def stopped() -> str:
    return _("Gestopt. De namen die je al stuurde, staan op de lijst.")


def refusal() -> str:
    return _("Alleen wie de kring regelt, of de jongere zelf, kan deze vragen doen.")


def private_only() -> str:
    return _("De namen zijn alleen voor jou. Stuur mij /who in een privéchat.")


def offer() -> str:
    """The gentle mention when a circle has few people around it: a tip, never a question."""
    return _("Weinig mensen om jullie heen? Met /who bedenk je rustig wie er is. (tip)")


def list_view(names: list[Name], circle_id: int, *, young: bool) -> tuple[str, InlineKeyboardMarkup]:
    """The list, with "Nodig uit" for the names of the family's list that are not invited yet."""
    more = InlineKeyboardButton(pgettext("button", "Meer vragen"), callback_data=callbacks.encode(MORE, circle_id))
    if not names:
        return "\n".join(
            [
                _("Geen namen deze keer. Dat is goed."),
                _("Later verder? Stuur dan /who."),
            ]
        ), InlineKeyboardMarkup([[more]])
    lines: list[str] = [pgettext("jongere", "Jouw lijst:") if young else _("Jullie lijst:")]
    lines += ["• " + (_("{name} (uitgenodigd)").format(name=n.name) if n.invited else n.name) for n in names]
    rows: list[list[InlineKeyboardButton]] = []
    if young:
        lines += ["", pgettext("jongere", "Wil je iemand als vertrouwenspersoon? Stuur dan /mentor.")]
    else:
        open_ = [n for n in names if not n.invited][-MAX_BUTTONS:]
        if open_:
            lines += ["", _("Iemand uitnodigen? Eén tik is genoeg. Jij geeft de link zelf door.")]
        rows = [
            [
                InlineKeyboardButton(
                    pgettext("button", "Nodig {name} uit").format(name=n.name),
                    callback_data=callbacks.encode(INVITE, n.id),
                )
            ]
            for n in open_
        ]
    rows.append([more])
    return "\n".join(lines), InlineKeyboardMarkup(rows)
