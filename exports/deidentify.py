"""De-identified copies: patient identifiers replaced in every text of a report or dossier.

What is replaced, in this order (so one rule cannot half-eat another's match):

1. e-mail addresses                                   -> "[e-mail]"
2. the MRN recorded on the investigation, exactly (any case), and its digits alone with or
   without leading zeros ("MRN-0048213", "0048213", "48213")   -> "[MRN]"
3. anything labelled as a record number ("MRN 123", "MRN: A-77", "medical record number 5",
   "hospital no. 12", "patient ID 9")                           -> "[MRN]"
4. the recorded date of birth in common forms: ISO (1945-05-14, 1945/5/14), d/m/Y and m/d/Y
   with /, -, . or space and 2- or 4-digit years (14/05/1945, 5/14/45), "14 May 1945",
   "14th of May, 1945", "May 14, 1945", "14-May-1945", "19450514"      -> "[DOB]"
5. any date after "DOB", "date of birth", "born (on)", "birth date"     -> "... [DOB]"
6. phone numbers: 10+ digits in groups, or with a leading + or an area code in brackets,
   or 3+ groups of 8+ digits that are not a date; any number after "tel", "phone", "mobile",
   "cell", "fax"                                                        -> "[phone]"
7. runs of 6 or more digits (record, account, insurance numbers)        -> "[number]"
8. the patient name recorded on the investigation: the whole name (parts in either order),
   an initial and the surname ("M. King"), the initials with dots ("M.A.K."), then each part of
   3+ letters that is not a title (Mrs, Dr...), case-insensitive, whole words, also plural
   ("the Kings") and without accents ("Zoë" and "Zoe"); a possessive stays after the
   placeholder ("[patient]'s")                                            -> "[patient]"
   The pieces of a double-barrelled surname ("Smith" of "O'Brien-Smith") are often other
   people's names ("Nurse Smith"): alone they are replaced only after a title ("Mrs Smith").
9. the names of other people involved, when given (`others`)            -> "[person]"

Only text people typed is scrubbed: `deidentify_dossier` leaves the keys of the app's vocabulary
(`KEY_FIELDS`: kinds, roles, statuses, harm, ...) and the app's own category names as they are,
so the report built from it keeps "Incident (reached the patient)" and "Patient representative"
whatever the patient is called.

Limits (say them to users): names of people not recorded as involved (relatives, a room-mate)
and free-text identifiers that match no rule are not found; a 7-digit local phone number without
a label ("555-1234") is kept, as it cannot be told from a reference like "2023-114"; a name part
that is also a word ("Rose", "Hope") is replaced everywhere, which over-redacts rather than leaks.

`Scrubber.for_investigation(inv)` builds the rules from the recorded identifiers; `scrubber(s)`
scrubs one text; `scrub(obj, scrubber)` returns a copy of any frozen dataclass tree (a
`Report`, a `Dossier`) with every `str` scrubbed; `deidentify_dossier(d)` also empties the
patient fields, for JSON/GraphML/DOT and for pictures drawn from a dossier.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

PATIENT = "[patient]"
MRN = "[MRN]"
DOB = "[DOB]"
PHONE = "[phone]"
EMAIL = "[e-mail]"
NUMBER = "[number]"
PERSON = "[person]"

_PLACEHOLDERS = (PATIENT, MRN, DOB, PHONE, EMAIL, NUMBER, PERSON)
#: While scrubbing, replacements are private-use marks (no letters or digits a later rule
#: could match); they become the placeholders at the end.
_MARK = {p: "\ue000" + chr(0xE100 + i) + "\ue001" for i, p in enumerate(_PLACEHOLDERS)}
_UNMARK = re.compile("\ue000(.)\ue001")

_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "lady",
        "lord",
        "rev",
        "jr",
        "sr",
        "the",
        "and",
        "van",
        "von",
        "der",
        "den",
        "del",
    ]
)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_MRN_LABEL = re.compile(
    r"(?<!\w)(?:MRN|M\.R\.N\.?|medical\s+record\s+(?:number|no\.?|n[or]\.?|#)|"
    r"record\s+(?:number|no\.?)|hospital\s+(?:number|no\.?)|patient\s+(?:id|number|no\.?))"
    r"\s*(?:is\s+)?[-:#.]?\s*[A-Za-z]{0,3}[-/]?\d[\w/-]*(?:[ .]\d[\w/-]*)*",
    re.IGNORECASE,
)
_MONTH_RE = "(?:" + "|".join(m[:3] + (m[3:] and f"(?:{m[3:]})?") for m in _MONTHS) + "|Sept)"
_ORD = r"(?:st|nd|rd|th)?"
_ANY_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/. ]\d{1,2}[-/. ]\d{2,4}"
    rf"|\d{{1,2}}{_ORD}[\s-]+(?:of\s+)?{_MONTH_RE}\.?,?[\s-]+'?\d{{2,4}}"
    rf"|{_MONTH_RE}\.?[\s-]+\d{{1,2}}{_ORD},?[\s-]+'?\d{{2,4}}|\d{{8}})"
)
_DOB_LABEL = re.compile(
    r"(?<!\w)((?:DOB|D\.O\.B\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?)\s*[-:]?\s*)"
    + _ANY_DATE
    + r"(?!\w)",
    re.IGNORECASE,
)
_PHONE_LABEL = re.compile(
    r"(?<!\w)((?:tel|telephone|phone|ph|mobile|mob|cell|fax|pager|bleep)\.?"
    r"(?:\s+(?:no\.?|number))?\s*[:#-]?\s*)+?\(?\d[\d()\s.-]{2,}\d(?!\w)",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\w+:/.-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,12}(?:[\s.-]\d{2,6}){0,5}"
    r"(?![\w:/])"
)
_DATE_START = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_LONG_DIGITS = re.compile(r"(?<!\d)\d{6,}(?!\d)")


def _fold(text: str) -> str:
    """`text` without accents (Zoë -> Zoe)."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    # A date (and what follows it) is not a phone number; what follows may still be one.
    head = _DATE_START.match(text)
    if head:
        rest = text[head.end() :]
        stripped = rest.lstrip(" .-")
        if not stripped:
            return text
        lead = text[: len(text) - len(stripped)]
        return lead + _PHONE.sub(_phone, stripped)
    digits = sum(ch.isdigit() for ch in text)
    if digits > 15 or digits < 7:
        return text
    groups = len(re.findall(r"\d+", text))
    bracketed = text.startswith("+") or "(" in text
    if (digits >= 10 and groups > 1) or bracketed or (groups >= 3 and digits >= 8):
        return _MARK[PHONE]
    return text


def _whole(pattern: str) -> str:
    return rf"(?<!\w){pattern}(?!\w)"


#: What may follow a name and still be the name: a plural ("the Kings", "the Joneses"); a
#: possessive ("O'Brien's") is left after the placeholder.
_NAME_END = r"(?:e?s)?"
#: Titles before a name; a piece of a double-barrelled surname ("Smith" of "O'Brien-Smith")
#: is replaced on its own only after one of them, so "Nurse Smith" stays.
_TITLE_RE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master)\.?\s+"


def _name_patterns(name: str) -> tuple[list[str], set[str], set[str]]:
    """(whole-name patterns, parts replaced anywhere, pieces replaced after a title)."""
    words = [w.strip(".,;") for w in name.replace(",", " ").split()]
    words = [w for w in words if w]
    patterns: list[str] = []
    for variant in dict.fromkeys((name, _fold(name))):
        vw = [w.strip(".,;") for w in variant.replace(",", " ").split() if w.strip(".,;")]
        vw = [w for w in vw if w.casefold().strip(".") not in _TITLES] or vw
        if len(vw) > 1:
            patterns.append(r"[\s,]+".join(re.escape(w) for w in vw))
            patterns.append(r"[\s,]+".join(re.escape(w) for w in reversed(vw)))
            # an initial and the surname ("M. O'Brien-Smith"), and the initials ("M.O.")
            patterns.append(rf"{re.escape(vw[0][0])}\.?\s*{re.escape(vw[-1])}")
            patterns.append(r"\.\s?".join(re.escape(w[0]) for w in vw) + r"\.")
        else:
            patterns.append(re.escape(variant.strip(".,;")))
    parts: set[str] = set()
    pieces: set[str] = set()
    for k, w in enumerate(words):
        split = [p for p in re.split(r"[-‐]", w) if p]
        # The pieces of a double-barrelled surname ("Smith" of "O'Brien-Smith") are common
        # names of other people: alone, only after a title. Pieces of given names
        # ("Ann-Marie") anywhere.
        surname = k == len(words) - 1 and len(words) > 1
        for piece in split if len(split) > 1 else ():
            for form in (piece, _fold(piece)):
                if sum(ch.isalpha() for ch in form) >= 3 and form.casefold() not in _TITLES:
                    (pieces if surname else parts).add(re.escape(form))
        for form in (w, _fold(w)):
            if sum(ch.isalpha() for ch in form) >= 3 and form.casefold().strip(".") not in _TITLES:
                parts.add(re.escape(form))
    return patterns, parts, pieces


@dataclass(frozen=True)
class Scrubber:
    """Replaces patient identifiers in texts (see the module docstring). Call it on a str."""

    name: str = ""
    mrn: str = ""
    dob: dt.date | None = None
    #: Names of other people involved (not the patient): replaced by "[person]".
    others: tuple[str, ...] = ()

    @classmethod
    def for_investigation(cls, inv: Any, others: tuple[str, ...] = ()) -> Scrubber:
        dob = getattr(inv, "patient_dob", None)
        if isinstance(dob, dt.datetime):
            dob = dob.date()
        return cls(
            name=" ".join(str(getattr(inv, "patient_name", "") or "").split()),
            mrn=str(getattr(inv, "patient_mrn", "") or "").strip(),
            dob=dob if isinstance(dob, dt.date) else None,
            others=tuple(" ".join(o.split()) for o in others if o and o.strip()),
        )

    # --- the rules built from the recorded identifiers (once per scrubber) ---------------
    @functools.cached_property
    def _mrn_re(self) -> re.Pattern[str] | None:
        if not self.mrn:
            return None
        forms = {re.escape(self.mrn)}
        core = re.sub(r"^(?:MRN)?[\s:#-]*", "", self.mrn, flags=re.IGNORECASE)
        core = re.sub(r"[\s.-]", "", core)
        if core.isdigit() and len(core.lstrip("0")) >= 4:
            # the digits with or without leading zeros, and written in groups ("8823 1476")
            forms.add("0*" + r"[\s.-]?".join(core.lstrip("0")))
        elif len(core) >= 4 and any(ch.isdigit() for ch in core):
            forms.add(re.escape(core))
        alternatives = "|".join(sorted(forms, key=len, reverse=True))
        return re.compile(_whole(f"(?:{alternatives})"), re.IGNORECASE)

    @functools.cached_property
    def _dob_re(self) -> re.Pattern[str] | None:
        d = self.dob
        if d is None:
            return None
        day, month = f"0?{d.day}", f"0?{d.month}"
        year = f"(?:{d.year}|'?{d.year % 100:02d})"
        sep = r"[-/. ]"
        name = _MONTHS[d.month - 1]
        mon = f"(?:{name[:3]}" + (f"(?:{name[3:]})?" if name[3:] else "")
        mon += "|Sept)" if d.month == 9 else ")"
        forms = [
            rf"{d.year}{sep}{month}{sep}{day}",
            rf"{day}{sep}{month}{sep}{year}",
            rf"{month}{sep}{day}{sep}{year}",
            rf"0?{d.day}{_ORD}[\s-]+(?:of\s+)?{mon}\.?,?[\s-]+{year}",
            rf"{mon}\.?[\s-]+0?{d.day}{_ORD},?[\s-]+{year}",
            f"{d:%Y%m%d}",
            f"{d:%d%m%Y}",
            f"{d:%m%d%Y}",
        ]
        return re.compile(_whole("(?:" + "|".join(forms) + ")"), re.IGNORECASE)

    @functools.cached_property
    def _name_res(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        """(pattern, replacement) per rule: the patient's name, then other people's."""
        out: list[tuple[re.Pattern[str], str]] = []
        for name, mark in ((self.name, PATIENT), *((o, PERSON) for o in self.others)):
            if not name:
                continue
            patterns, parts, pieces = _name_patterns(name)
            alternatives = [p for p in patterns if p]
            if parts:
                alternatives += sorted(parts, key=len, reverse=True)
            if alternatives:
                joined = "|".join(alternatives)
                out.append(
                    (re.compile(_whole(f"(?:{joined}){_NAME_END}"), re.IGNORECASE), _MARK[mark])
                )
            if pieces:
                joined = "|".join(sorted(pieces, key=len, reverse=True))
                titled = re.compile(
                    rf"(?<!\w)({_TITLE_RE})(?:{joined}){_NAME_END}(?!\w)", re.IGNORECASE
                )
                out.append((titled, r"\g<1>" + _MARK[mark]))
        return tuple(out)

    # --- scrubbing ---------------------------------------------------------------------------
    def __call__(self, text: str) -> str:
        if not text:
            return text
        out = _EMAIL.sub(_MARK[EMAIL], text)
        if self._mrn_re is not None:
            out = self._mrn_re.sub(_MARK[MRN], out)
        out = _MRN_LABEL.sub(_MARK[MRN], out)
        if self._dob_re is not None:
            out = self._dob_re.sub(_MARK[DOB], out)
        out = _DOB_LABEL.sub(lambda m: m.group(1) + _MARK[DOB], out)
        out = _PHONE_LABEL.sub(lambda m: m.group(1) + _MARK[PHONE], out)
        out = _PHONE.sub(_phone, out)
        out = _LONG_DIGITS.sub(_MARK[NUMBER], out)
        for pattern, mark in self._name_res:
            out = pattern.sub(mark, out)
        return _UNMARK.sub(lambda m: _PLACEHOLDERS[ord(m.group(1)) - 0xE100], out)

    text = __call__


T = TypeVar("T")


def scrub(obj: T, scrubber: Callable[[str], str]) -> T:
    """A copy of `obj` with `scrubber` applied to every str inside it: frozen dataclasses (also
    with slots), tuples, lists, dicts; other values (ints, dates, None) as they are."""
    return _scrub(obj, scrubber)


def _scrub(obj: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(obj, str):
        return fn(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {}
        for f in dataclasses.fields(obj):
            if not f.init:
                continue
            value = getattr(obj, f.name)
            new = _scrub(value, fn)
            if new is not value:
                changes[f.name] = new
        return dataclasses.replace(obj, **changes) if changes else obj
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        items = tuple(_scrub(v, fn) for v in obj)
        return obj if all(a is b for a, b in zip(items, obj, strict=True)) else items
    if isinstance(obj, list):
        return [_scrub(v, fn) for v in obj]
    if isinstance(obj, dict):
        return {_scrub(k, fn): _scrub(v, fn) for k, v in obj.items()}
    return obj


#: Fields of the domain objects that hold a key of the app's vocabulary (`models.vocab`), not
#: text people typed: never scrubbed, so a patient called "Fall" or "Patient" cannot turn the
#: app's own words ("Incident (reached the patient)", "Patient representative") into "[patient]".
KEY_FIELDS = frozenset(
    {
        "kind",
        "role",
        "status",
        "event_type",
        "report_type",
        "harm",
        "ncc_merp",
        "severity_actual",
        "severity_potential",
        "probability",
        "strength",
        "decision",
        "audience",
        "concurrence",
        "effectiveness",
    }
)


def _standard_category(name: str) -> bool:
    from models.vocab import EIGHT_M, LONDON_PROTOCOL

    return name in LONDON_PROTOCOL or name in EIGHT_M


def _scrub_typed(obj: Any, fn: Callable[[str], str]) -> Any:
    """`scrub`, but only the texts people typed: `KEY_FIELDS` and the app's own category
    names (the London Protocol and 8M bones) are left as they are."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {}
        for f in dataclasses.fields(obj):
            if not f.init or f.name in KEY_FIELDS:
                continue
            value = getattr(obj, f.name)
            if f.name == "category" and isinstance(value, str) and _standard_category(value):
                continue
            if f.name == "categories" and isinstance(value, tuple):
                new: Any = tuple(v if _standard_category(v) else fn(v) for v in value)
            else:
                new = _scrub_typed(value, fn)
            if new != value:
                changes[f.name] = new
        return dataclasses.replace(obj, **changes) if changes else obj
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return tuple(_scrub_typed(v, fn) for v in obj)
    return _scrub(obj, fn)


def deidentify_dossier(dossier: Any, others: tuple[str, ...] = ()) -> Any:
    """A copy of a `Dossier` with every text people typed scrubbed (`KEY_FIELDS` and the
    app's category names kept) and the patient fields emptied. `others` are names of other
    people involved (a room-mate, a relative, the other patient of a wrong-patient event):
    they are replaced too ("[person]")."""
    scrubber = Scrubber.for_investigation(dossier.investigation, others=others)
    out = _scrub_typed(dossier, scrubber)
    inv = dataclasses.replace(out.investigation, patient_name="", patient_mrn="", patient_dob=None)
    return dataclasses.replace(out, investigation=inv)

