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
   then each part of 3+ letters that is not a title (Mrs, Dr...), case-insensitive, whole
   words, also without accents ("Zoë" and "Zoe")                         -> "[patient]"

Limits (say them to users): names of other people (relatives, a room-mate) and free-text
identifiers that match no rule are not found; a 7-digit local phone number without a label
("555-1234") is kept, as it cannot be told from a reference like "2023-114"; a name part that
is also a word ("Rose", "Hope") is replaced everywhere, which over-redacts rather than leaks.

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

_PLACEHOLDERS = (PATIENT, MRN, DOB, PHONE, EMAIL, NUMBER)
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
    r"\s*(?:is\s+)?[-:#.]?\s*[A-Za-z]{0,3}[-/]?\d[\w/-]*",
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


@dataclass(frozen=True)
class Scrubber:
    """Replaces patient identifiers in texts (see the module docstring). Call it on a str."""

    name: str = ""
    mrn: str = ""
    dob: dt.date | None = None

    @classmethod
    def for_investigation(cls, inv: Any) -> Scrubber:
        dob = getattr(inv, "patient_dob", None)
        if isinstance(dob, dt.datetime):
            dob = dob.date()
        return cls(
            name=" ".join(str(getattr(inv, "patient_name", "") or "").split()),
            mrn=str(getattr(inv, "patient_mrn", "") or "").strip(),
            dob=dob if isinstance(dob, dt.date) else None,
        )

    # --- the rules built from the recorded identifiers (once per scrubber) ---------------
    @functools.cached_property
    def _mrn_re(self) -> re.Pattern[str] | None:
        if not self.mrn:
            return None
        forms = {re.escape(self.mrn)}
        core = re.sub(r"^(?:MRN)?[\s:#-]*", "", self.mrn, flags=re.IGNORECASE)
        core = re.sub(r"[\s-]", "", core)
        if core.isdigit() and len(core.lstrip("0")) >= 4:
            forms.add("0*" + core.lstrip("0"))
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
    def _name_res(self) -> tuple[re.Pattern[str], ...]:
        if not self.name:
            return ()
        words = [w.strip(".,;") for w in self.name.replace(",", " ").split()]
        words = [w for w in words if w]
        patterns: list[str] = []
        for variant in dict.fromkeys((self.name, _fold(self.name))):
            vw = [w for w in variant.replace(",", " ").split() if w.strip(".,;")]
            if len(vw) > 1:
                patterns.append(r"[\s,]+".join(re.escape(w.strip(".,;")) for w in vw))
                patterns.append(r"[\s,]+".join(re.escape(w.strip(".,;")) for w in reversed(vw)))
            else:
                patterns.append(re.escape(variant.strip(".,;")))
        parts: set[str] = set()
        for w in words:
            for piece in {w, *re.split(r"[-‐]", w)}:
                for form in (piece, _fold(piece)):
                    letters = sum(ch.isalpha() for ch in form)
                    if letters >= 3 and form.casefold().strip(".") not in _TITLES:
                        parts.add(re.escape(form))
        whole = [re.compile(_whole(f"(?:{p})"), re.IGNORECASE) for p in patterns if p]
        if parts:
            alternatives = "|".join(sorted(parts, key=len, reverse=True))
            whole.append(re.compile(_whole(f"(?:{alternatives})"), re.IGNORECASE))
        return tuple(whole)

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
        for pattern in self._name_res:
            out = pattern.sub(_MARK[PATIENT], out)
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


def deidentify_dossier(dossier: Any) -> Any:
    """A copy of a `Dossier` with every text scrubbed and the patient fields emptied."""
    scrubber = Scrubber.for_investigation(dossier.investigation)
    out = scrub(dossier, scrubber)
    inv = dataclasses.replace(out.investigation, patient_name="", patient_mrn="", patient_dob=None)
    return dataclasses.replace(out, investigation=inv)


def deidentify_text(text: str, *, name: str = "", mrn: str = "", dob: dt.date | None = None) -> str:
    """One text scrubbed with the given identifiers (for callers without an investigation)."""
    return Scrubber(name=name, mrn=mrn, dob=dob)(text)
