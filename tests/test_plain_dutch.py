"""The Dutch source is plain language (B1), in the words of the glossary (``locales/GLOSSARY.md``).

Measurable proxies: short sentences, short messages, no long compounds, none of the care jargon and
none of the words the glossary says not to use. The assembled messages people see are measured in
``tests/test_demo.py`` on the demo's story.
"""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from bot.i18n import locales_dir

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
MAX_SENTENCE_WORDS = 15
MAX_MESSAGE_WORDS = 60  # one text; /help, /privacy and documents may be longer
MAX_WORD_LENGTH = 20  # letters in one word (long compounds are hard to read)

#: Words that belong in a care file, not in a message to a family.
JARGON = (
    "regiehouder",
    "casus",
    "interventie",
    "indicatie",
    "traject",
    "procedure",
    "conform",
    "teneinde",
    "middels",
    "betreffende",
    "inzake",
    "desbetreffende",
    "reeds",
    "echter",
    "tevens",
    "alsmede",
    "indien",
    "derhalve",
    "zorgaanbieder",
    "veiligheidsplan",
    "netwerkberaad",
    "signaleren",
    "escalatie",
    "monitoren",
    "beschikking",
    "ten behoeve",
)


def glossary_not_list() -> list[str]:
    """The glossary's "Niet" list: words and phrases the Dutch source never uses."""
    text = (locales_dir() / "GLOSSARY.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- not-list -->(.*?)<!-- /not-list -->", text, re.DOTALL)
    assert match, "locales/GLOSSARY.md has no not-list"
    return [line[2:].strip() for line in match.group(1).splitlines() if line.startswith("- ")]


def readable(text: str) -> str:
    """The text as a reader meets it: links, addresses, /commands and placeholders are one thing."""
    return PLACEHOLDER.sub("X", re.sub(r"https?://\S+|\S+@\S+|/\w+", "X", text))


def source_texts() -> list[str]:
    with (locales_dir() / "kring.pot").open("rb") as handle:
        catalog = read_po(handle)
    return [text for m in catalog if m.id for text in ([m.id] if isinstance(m.id, str) else m.id)]


def test_sentences_are_short_and_words_plain() -> None:
    problems = []
    for text in source_texts():
        plain = readable(text)
        for sentence in re.split(r"(?<=[.!?:])\s+|\n", plain):
            words = WORD.findall(sentence)
            if len(words) > MAX_SENTENCE_WORDS:
                problems.append(f"{len(words)} words: {sentence}")
            problems += [f"long word {w}: {text}" for w in words if len(w) > MAX_WORD_LENGTH]
        problems += [f"jargon {word!r}: {text}" for word in JARGON if re.search(rf"\b{word}", text.lower())]
    assert problems == []


def test_one_text_is_at_most_sixty_words() -> None:
    long = [(n, text[:60]) for text in source_texts() if (n := len(WORD.findall(readable(text)))) > MAX_MESSAGE_WORDS]
    assert long == []


def test_the_glossary_words_not_to_use_are_not_used() -> None:
    not_list = glossary_not_list()
    assert "korte stand" in not_list and "vinger aan de pols" in not_list  # the list is read
    used = [
        (word, text)
        for text in source_texts()
        for word in not_list
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", readable(text), re.IGNORECASE)
    ]
    assert used == []
