"""Gettext catalogs: kring.pot (the Dutch source) and <language>/LC_MESSAGES/kring.po."""
