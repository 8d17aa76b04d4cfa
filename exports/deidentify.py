"""De-identified copies: patient identifiers replaced in every text of a report or dossier.

What is replaced, in this order (so one rule cannot half-eat another's match):

1. e-mail addresses                                   -> "[e-mail]"
2. the MRN recorded on the investigation, exactly (any case); its letters and digits written
   with or without separators (space, -, /, ., _, a dash: "8823 1476", "8823-1476", "A12 3456")
   and its digits with or without leading zeros ("MRN-0048213", "0048213", "48213"); and each
   4+-digit group of the MRN alone ("1476" of "8823 1476"), the groups being those of the MRN
   as recorded and as the texts of the dossier write it (`scrubber_for`). A group is replaced
   alone only as a whole number that is not a quantity or a year: "1476 mg", "1476 units",
   "2023-1476", "14:76", "in 2023" stay, and other numbers are never touched -> "[MRN]"
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
   the first name and the surname, an initial and the surname ("M. King"), the initials with
   dots ("M.A.K."), then each part of 3+ letters that is not a title (Mrs, Dr...),
   case-insensitive, whole words, also plural
   ("the Kings") and without accents ("Zoë" and "Zoe"); a possessive stays after the
   placeholder ("[patient]'s"); an apostrophe matches any typed (' or ’) or none, a hyphen
   any dash or a space ("O’Brien Smith")                                  -> "[patient]"
   Double-barrelled surnames: the rule is that a piece ("Smith" or "O'Brien" of "O'Brien-Smith")
   is never replaced on its own, whatever stands before it ("Nurse Smith", "Dr Smith",
   "Mr Smith", "Mrs Smith", "the Smiths" stay): such a piece is a common name of other people,
   and it cannot be told whose it is. The whole surname is always replaced ("Mrs O'Brien-Smith",
   "O'Brien-Smith's", "O'BRIEN-SMITH", "the O'Brien-Smiths"), and so is a given name with one
   piece ("Mary Smith"). Pieces of a given name ("Ann" of "Ann-Marie") are replaced anywhere.
9. the names of other people involved (recorded in `Dossier.people`, or given as `others`),
   in the same written forms as the patient's                             -> "[person]"

Only text people typed is scrubbed: `deidentify_dossier` leaves the keys of the app's vocabulary
(`KEY_FIELDS`: kinds, roles, statuses, harm, ...) and the app's own category names as they are,
so the report built from it keeps "Incident (reached the patient)" and "Patient representative"
whatever the patient is called.

Limits (say them to users): names of people not recorded as involved (relatives, a room-mate)
and free-text identifiers that match no rule are not found; a 7-digit local phone number without
a label ("555-1234") is kept, as it cannot be told from a reference like "2023-114"; a name part
that is also a word ("Rose", "Hope") is replaced everywhere, which over-redacts rather than leaks;
the patient called by one piece of a double-barrelled surname ("Mrs Smith") is not found (rule 8),
nor a group of the MRN that is a year or is followed by a unit (rule 2).

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
from collections.abc import Callable, Iterable
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
#: What may stand between the characters of an MRN written in groups ("8823 1476", "8823-1476",
#: "8823/1476", "8823_1476", "8823–1476").
_MRN_SEP = r"[\s./_\u2010-\u2014-]?"
#: A group of an MRN alone is a whole number: not a piece of a date, time, decimal or reference
#: ("2023-1476", "14:76", "1.476") ...
_NOT_IN_NUMBER = r"(?<![\w\u2010-\u2014-])(?<!\d[/.:,])"
#: ... and not a quantity ("1476 mg", "1476 ml", "1476 units", "1476%").
_NOT_A_QUANTITY = (
    r"(?![\w\u2010-\u2014-])(?![/.:,]\d)(?!\s*(?:%|(?:mcg|µg|ug|ng|mg|g|kg|ml|l|dl|units?|iu|"
    r"mmol|mol|meq|hrs?|hours?|mins?|minutes?|secs?|seconds?|days?|mm|cm|m|km|kcal|bpm)(?!\w)))"
)
#: A year (1900-2099): a group of an MRN that is one is not replaced alone ("in 2023").
_YEAR = re.compile(r"(?:19|20)\d\d")


def _groups(text: str) -> list[str]:
    """The 4+-digit groups of an MRN written with separators ("8823 1476" -> 8823, 1476);
    none when it is one group."""
    groups = [g for g in re.split(r"[^0-9A-Za-z]+", text) if g]
    if len(groups) < 2:
        return []
    return [g for g in groups if g.isdigit() and len(g) >= 4]


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
#: An apostrophe in a recorded name matches any apostrophe typed (straight, curly, modifier,
#: accents) or none ("OBrien"); a hyphen matches any dash, with spaces, or a space alone.
_APOSTROPHES = "'\u2019\u2018\u02bc`\u00b4"
_HYPHENS = "-\u2010\u2011\u2012\u2013\u2014"
_APOSTROPHE_RE = f"[{_APOSTROPHES}]?"
_HYPHEN_RE = rf"(?:\s*[{_HYPHENS}]\s*|\s+)"


def _word_re(word: str) -> str:
    """The regex of one word of a name, written any of the ways it is typed."""
    out = []
    for ch in word:
        if ch in _APOSTROPHES:
            out.append(_APOSTROPHE_RE)
        elif ch in _HYPHENS:
            out.append(_HYPHEN_RE)
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _is_part(word: str) -> bool:
    """A word of a name replaced on its own: 3+ letters and not a title ("Mrs", "van")."""
    return sum(ch.isalpha() for ch in word) >= 3 and word.casefold().strip(".") not in _TITLES


def _name_patterns(name: str) -> tuple[list[str], set[str]]:
    """(whole-name patterns, parts replaced anywhere) of one recorded name; see rule 8."""
    patterns: list[str] = []
    parts: set[str] = set()
    for variant in dict.fromkeys((name, _fold(name))):
        words = [w.strip(".,;") for w in variant.replace(",", " ").split() if w.strip(".,;")]
        vw = [w for w in words if w.casefold().strip(".") not in _TITLES] or words
        if not vw:
            continue
        if len(vw) > 1:
            given, surname = vw[:-1], vw[-1]
            pieces = [p for p in re.split(f"[{_HYPHENS}]", surname) if _is_part(p)]
            # the whole name in either order, also a given name with one piece of a
            # double-barrelled surname ("Mary Smith", "Smith, Mary": the patient, as her given
            # name is replaced anyway)
            seqs = [vw, *([g, p] for g in given for p in pieces if len(pieces) > 1)]
            if len(vw) > 2:  # the first name and the surname ("Margaret King")
                seqs.append([vw[0], surname])
            for seq in seqs:
                res = [_word_re(w) for w in seq]
                patterns.append(r"[\s,]+".join(res))
                patterns.append(r"[\s,]+".join(reversed(res)))
            # an initial and the surname ("M. O'Brien-Smith"), and the initials ("M.O.")
            patterns.append(rf"{re.escape(vw[0][0])}\.?\s*{_word_re(surname)}")
            patterns.append(r"\.\s?".join(re.escape(w[0]) for w in vw) + r"\.")
        else:
            patterns.append(_word_re(vw[0]))  # a one-word name, however short
        for k, w in enumerate(vw):
            if _is_part(w):
                parts.add(_word_re(w))
            # pieces of a given name ("Ann" of "Ann-Marie") anywhere; of a double-barrelled
            # surname ("Smith" of "O'Brien-Smith") never alone: see rule 8
            if k < len(vw) - 1 or len(vw) == 1:
                parts.update(
                    _word_re(p) for p in re.split(f"[{_HYPHENS}]", w) if p != w and _is_part(p)
                )
    return patterns, parts


@dataclass(frozen=True)
class Scrubber:
    """Replaces patient identifiers in texts (see the module docstring). Call it on a str."""

    name: str = ""
    mrn: str = ""
    dob: dt.date | None = None
    #: Names of other people involved (not the patient): replaced by "[person]".
    others: tuple[str, ...] = ()
    #: Groups of the MRN as the texts write it ("1476" of "8823 1476"), replaced alone too.
    mrn_parts: tuple[str, ...] = ()

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
    def _mrn_core(self) -> str:
        """The MRN's letters and digits, without a leading "MRN" ("MRN-0048213" -> "0048213")."""
        core = re.sub(r"^(?:MRN)?[^0-9A-Za-z]*", "", self.mrn, flags=re.IGNORECASE)
        return "".join(ch for ch in core if ch.isalnum())

    @functools.cached_property
    def _mrn_re(self) -> re.Pattern[str] | None:
        if not self.mrn:
            return None
        forms = {re.escape(self.mrn)}
        core = self._mrn_core
        if core.isdigit() and len(core.lstrip("0")) >= 4:
            # the digits with or without leading zeros, and written in groups ("8823 1476")
            forms.add("0*" + _MRN_SEP.join(core.lstrip("0")))
        elif len(core) >= 4 and any(ch.isdigit() for ch in core):
            forms.add(_MRN_SEP.join(re.escape(ch) for ch in core))
        alternatives = "|".join(sorted(forms, key=len, reverse=True))
        return re.compile(_whole(f"(?:{alternatives})"), re.IGNORECASE)

    @functools.cached_property
    def _mrn_parts_re(self) -> re.Pattern[str] | None:
        """The 4+-digit groups of the MRN alone (rule 2); not in a number, not a quantity."""
        parts = {*_groups(self.mrn), *self.mrn_parts} - {self._mrn_core}
        parts = {p.lstrip("0") for p in parts if not _YEAR.fullmatch(p.lstrip("0"))}
        parts = {p for p in parts if len(p) >= 4}
        if not parts:
            return None
        joined = "|".join(sorted(parts, key=len, reverse=True))
        return re.compile(rf"{_NOT_IN_NUMBER}0*(?:{joined}){_NOT_A_QUANTITY}", re.IGNORECASE)

    def learn_mrn_parts(self, texts: Iterable[str]) -> Scrubber:
        """This scrubber, also replacing alone the groups in which `texts` write the MRN
        ("8823 1476" for a recorded "88231476": "1476" alone is replaced too)."""
        if self._mrn_re is None:
            return self
        found = {g for t in texts for m in self._mrn_re.finditer(t) for g in _groups(m.group(0))}
        new = tuple(sorted(found - set(self.mrn_parts)))
        return dataclasses.replace(self, mrn_parts=self.mrn_parts + new) if new else self

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
            patterns, parts = _name_patterns(name)
            alternatives = patterns + sorted(parts, key=len, reverse=True)
            if alternatives:
                joined = "|".join(alternatives)
                out.append(
                    (re.compile(_whole(f"(?:{joined}){_NAME_END}"), re.IGNORECASE), _MARK[mark])
                )
        return tuple(out)

    # --- scrubbing ---------------------------------------------------------------------------
    def __call__(self, text: str) -> str:
        if not text:
            return text
        out = _EMAIL.sub(_MARK[EMAIL], text)
        if self._mrn_re is not None:
            out = self._mrn_re.sub(_MARK[MRN], out)
        out = _MRN_LABEL.sub(_MARK[MRN], out)
        if self._mrn_parts_re is not None:
            out = self._mrn_parts_re.sub(_MARK[MRN], out)
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


def scrubber_for(dossier: Any, others: tuple[str, ...] = ()) -> Scrubber:
    """The scrubber of one dossier: the patient's identifiers, and the names of the other people
    involved that it records (`Dossier.people`) with any `others` given."""
    recorded = tuple(p.name for p in getattr(dossier, "people", ()))
    base = Scrubber.for_investigation(dossier.investigation, others=(*recorded, *others))
    texts: list[str] = []

    def collect(text: str) -> str:
        texts.append(text)
        return text

    _scrub(dossier, collect)
    return base.learn_mrn_parts(texts)


def deidentify_dossier(dossier: Any, others: tuple[str, ...] = ()) -> Any:
    """A copy of a `Dossier` with every text people typed scrubbed (`KEY_FIELDS` and the
    app's category names kept) and the patient fields emptied. The names of other people
    involved (a room-mate, a relative, the other patient of a wrong-patient event), recorded in
    `Dossier.people` or given as `others`, are replaced too ("[person]")."""
    scrubber = scrubber_for(dossier, others)
    out = _scrub_typed(dossier, scrubber)
    inv = dataclasses.replace(out.investigation, patient_name="", patient_mrn="", patient_dob=None)
    return dataclasses.replace(out, investigation=inv)
