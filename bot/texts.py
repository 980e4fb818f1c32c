"""Texts that more than one message shares. Kept in one place so that the safety lines are the
same wherever help is discussed (domain rule 12)."""

from __future__ import annotations

from bot.i18n import _


def not_an_emergency_service() -> str:
    return _(
        "Kring is geen noodhulp. Ik lees niet de hele tijd mee.\n"
        "Is er gevaar? Bel 112.\n"
        "Veilig Thuis: 0800-2000\n"
        "113 Zelfmoordpreventie: 0800-0113\n"
        "Kindertelefoon: 0800-0432"
    )
