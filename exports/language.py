"""The reports' document language (the `language` setting): one BCP 47 tag, checked once.

Why: a screen reader picks its voice and a spell checker its dictionary from the language the
file declares (the PDF catalog's /Lang and its XMP dc:language, the HTML's `<html lang>`, the
DOCX core properties and default run language, the XLSX properties). A hospital that writes
its investigations in French or German says so once, in the settings; a tag that is not one
(`english`, `en_US`) stops `rca` at start with a message, instead of a file that a reader then
reads in the wrong voice. The report's own wording (headings, labels) is English whatever the
setting says: the setting names the language of what the team typed, most of the text.

So the document declares the setting's language, and the app's own wording is marked English
(`app_lang`) in each format: HTML `lang="en"` on headings, header cells and labels, PDF /Lang on
their structure elements, DOCX `w:lang` on their runs. That way round, not the team's text
marked: the text with no mark of its own (most of it, and any a writer missed) is read in the
language the document declares, which is also the one every reader honours (some screen
readers and PDF viewers ignore a language change inside the document, none the document's);
a voice switch then happens on short labels, not on every paragraph and cell.

Checked: the form of RFC 5646 (a primary language of two or three letters, then script, region,
variants, extensions and a private-use part), with its case conventions (`en-us` is `en-US`,
`sr-latn` is `sr-Latn`). Not checked: that each subtag is in the IANA registry (`zz` passes),
and the irregular grandfathered tags (`i-klingon`) are refused.
"""

from __future__ import annotations

import re

#: The default document language.
DEFAULT_LANGUAGE = "en"

#: The language of the app's own wording (its headings, labels and vocabulary).
APP_LANGUAGE = "en"

_LANGTAG = re.compile(
    r"""
    [a-z]{2,3}(?:-[a-z]{3}){0,3}               # language (ISO 639), extended language subtags
    (?:-[a-z]{4})?                             # script (ISO 15924)
    (?:-(?:[a-z]{2}|[0-9]{3}))?                # region (ISO 3166-1, UN M.49)
    (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*   # variants
    (?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*        # extensions
    (?:-x(?:-[a-z0-9]{1,8})+)?                 # private use
    """,
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)


class LanguageTagError(ValueError):
    """Not a BCP 47 language tag (the message says what is expected)."""


def language_tag(value: object) -> str:
    """`value` as a BCP 47 language tag in its usual case (`EN-us` is `en-US`); raises
    `LanguageTagError` for anything else."""
    tag = value.strip() if isinstance(value, str) else ""
    if not tag or len(tag) > 64 or not _LANGTAG.fullmatch(tag):
        hint = " (a hyphen, not '_')" if isinstance(value, str) and "_" in value else ""
        raise LanguageTagError(
            f"{value!r} is not a BCP 47 language tag{hint}: expected one such as en, en-US, "
            "fr-CA, de or es-419"
        )
    parts = tag.lower().split("-")
    out = [parts[0]]
    for part in parts[1:]:
        if len(out[-1]) == 1:  # after a singleton: an extension or private use, lower case
            out.extend(parts[len(out) :])
            break
        out.append(
            part.upper()
            if len(part) == 2
            else part.title()
            if len(part) == 4 and part.isalpha()
            else part
        )
    return "-".join(out)


def app_lang(document: str) -> str | None:
    """The language to mark the app's own wording with in a document in language `document`
    (a tag as `language_tag` gives it): "en", or None when the document is in English already
    (`en`, `en-US`, `en-GB`: one voice and dictionary either way), which then gets no marks."""
    return None if document.split("-")[0] == APP_LANGUAGE else APP_LANGUAGE
