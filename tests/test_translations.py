"""Vietnamese is the default language: every text of the app is translated."""

from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).parents[1] / "survey/translations/vi/LC_MESSAGES/messages.po"


def test_every_message_has_a_vietnamese_translation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    untranslated = [
        message.id
        for message in catalogue
        if message.id
        and (
            "fuzzy" in message.flags
            or not (
                message.string
                if isinstance(message.string, str)
                else all(message.string)
            )
        )
    ]
    assert untranslated == []
