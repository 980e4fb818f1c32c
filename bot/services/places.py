"""Places to turn to: local community initiatives the organisation running Kring names in a file
(``KRING_PLACES_FILE``, JSON or TOML). Kring shows them to a family with few people around them
that asks for more, and never instead of the family's own people.

The file holds a list ``places``; each place has ``name``, ``offer`` (what they offer) and
``reach`` (how to reach them), each a text or a table of texts per language code. A person sees
their own language, else the default language, else Dutch, else the first one given.
"""

from __future__ import annotations

import json
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, MemberRole, MemberStatus
from bot.i18n import SOURCE_LANGUAGE, _, available_languages
from bot.services import authz
from bot.services.authz import Action

log = logging.getLogger(__name__)

FIELDS = ("name", "offer", "reach")
LIMITS = {"name": 80, "offer": 300, "reach": 200}
MAX_PLACES = 20
FEW = 2  # a circle with fewer network members than this may be shown places to turn to


@dataclass(frozen=True)
class Place:
    """One initiative; each field maps a language code to its text (``""``: every language)."""

    name: dict[str, str]
    offer: dict[str, str]
    reach: dict[str, str]

    def text(self, field: str, language: str, default_language: str = SOURCE_LANGUAGE) -> str:
        texts: dict[str, str] = getattr(self, field)
        for code in (language, default_language, SOURCE_LANGUAGE, ""):
            if code in texts:
                return texts[code]
        return next(iter(texts.values()))

    def languages(self) -> set[str]:
        return {code for field in FIELDS for code in getattr(self, field) if code}


class PlacesError(Exception):
    """The file cannot be used; ``problems`` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def read(path: Path) -> list[Place]:
    """Read and check the whole file; raise :class:`PlacesError` with every problem found."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise PlacesError([_("Ik kan {path} niet lezen: {reason}.").format(path=path, reason=error.strerror)]) from None
    try:
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:  # (JSON and TOML errors are ValueErrors)
        raise PlacesError([_("Dit is geen geldige JSON of TOML: {reason}").format(reason=error)]) from None
    return parse(data)


def parse(data: Any) -> list[Place]:
    problems: list[str] = []
    entries = data.get("places") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise PlacesError([_("Het bestand moet een lijst 'places' hebben, met minstens één plek.")])
    if len(entries) > MAX_PLACES:
        problems.append(_("Gebruik hoogstens {count} plekken.").format(count=MAX_PLACES))
    found = []
    for number, entry in enumerate(entries, 1):
        where = f"places[{number}]"
        if not isinstance(entry, dict):
            problems.append(_("{where}: dit moet een tabel zijn met name, offer en reach.").format(where=where))
            continue
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            problems.append(_("{where}: onbekend veld {name}.").format(where=where, name=", ".join(unknown)))
        fields = {field: _texts(entry.get(field), f"{where}.{field}", LIMITS[field], problems) for field in FIELDS}
        found.append(Place(**fields))
    if problems:
        raise PlacesError(problems)
    return found


def _texts(value: Any, where: str, limit: int, problems: list[str]) -> dict[str, str]:
    texts = {"": value} if isinstance(value, str) else value
    if not isinstance(texts, dict) or not texts:
        problems.append(_("{where}: vul een tekst in, of een tekst per taal.").format(where=where))
        return {}
    known = set(available_languages())
    checked = {}
    for code, text in texts.items():
        if code and code not in known:
            problems.append(
                _("{where}: de taal {code} ken ik niet. Kies uit: {known}.").format(
                    where=where, code=code, known=", ".join(sorted(known))
                )
            )
        elif not isinstance(text, str) or not text.strip():
            problems.append(_("{where}: de tekst is leeg.").format(where=f"{where}.{code}" if code else where))
        elif len(text.strip()) > limit:
            problems.append(
                _("{where}: dit is te lang. Gebruik hoogstens {count} tekens.").format(
                    where=f"{where}.{code}" if code else where, count=limit
                )
            )
        else:
            checked[code] = text.strip()
    return checked


_cache: dict[Path, tuple[float, list[Place]]] = {}


def configured(path: Path | None) -> list[Place]:
    """The places from the organisation's file (re-read when it changes); none without a file or
    when it cannot be used now (logged: the family then simply sees no places)."""
    if path is None:
        return []
    try:
        changed = path.stat().st_mtime
    except OSError:
        log.warning("places.file_missing")
        return []
    cached = _cache.get(path)
    if cached is not None and cached[0] == changed:
        return cached[1]
    try:
        found = read(path)
    except PlacesError:
        log.warning("places.file_invalid")
        found = []
    _cache[path] = (changed, found)
    return found


async def network_count(session: AsyncSession, circle_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                Member.circle_id == circle_id,
                Member.role == MemberRole.NETWORK,
                Member.status == MemberStatus.ACTIVE,
            )
        )
        or 0
    )


async def few_people(session: AsyncSession, circle_id: int) -> bool:
    return await network_count(session, circle_id) < FEW


async def offer_places(session: AsyncSession, circle_id: int, path: Path | None) -> bool:
    """Whether to offer the "places to turn to" button to this circle: places are configured and
    the family has fewer than two people around them."""
    return bool(configured(path)) and await few_people(session, circle_id)


async def for_circle(session: AsyncSession, circle_id: int, *, person_id: int | None, path: Path | None) -> list[Place]:
    """The places, for someone of the family (or the young person) of a circle with few people
    around it; raises ``NoLongerPossible`` when it now has enough (an old button)."""
    try:
        await authz.authorize(session, person_id, circle_id, Action.ASK_HELP)
    except authz.NotAllowed:
        await authz.authorize(session, person_id, circle_id, Action.ASK_WHO_QUESTIONS)
    places = configured(path)
    if not places or not await few_people(session, circle_id):
        raise authz.NoLongerPossible(Action.ASK_HELP)
    return places
