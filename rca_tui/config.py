"""Settings: where the database is, who the user is, deadlines and holidays.

Read, in order of precedence: command-line options, environment (`RCA_DB`, `RCA_USER`,
`RCA_MOUSE`, `RCA_CONFIG`), the TOML file (`~/.config/rca-tui/config.toml` on Linux), defaults.
The file is optional; a bad value in it is reported with the file and key, like any other bad input.

The deadline settings (target days, holiday country and subdivision, extra holidays) are checked
against the holiday calendar when the settings are made, and kept as one `DeadlinePolicy`
(`Settings.deadline_policy()`): a country the calendar does not know stops `rca` at start with a
message naming the key and what is allowed, instead of every deadline vanishing later.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from models.errors import RcaError
from models.rules.deadlines import (
    BusinessCalendar,
    DeadlinePolicy,
    DeadlineSettingError,
)


class SettingsError(RcaError):
    """A value in the settings is not acceptable (the message names the key and why)."""


@dataclass(frozen=True)
class Settings:
    """The settings; `Settings.from_mapping` checks every key (a typo is refused, not ignored).

    A plain dataclass rather than a pydantic model: this is read at every start, and pydantic
    costs more to import than the whole check below.
    """

    db: str | None = None
    user: str | None = None
    #: Days from the RCA decision to the target completion date.
    rca_target_days: int = 45
    #: Country (and optional subdivision) whose public holidays are not business days.
    holiday_country: str | None = "US"
    holiday_subdivision: str | None = None
    #: Extra non-working days of this hospital.
    extra_holidays: tuple[dt.date, ...] = field(default_factory=tuple)
    theme: str | None = None
    mouse: bool | None = None
    #: Whoever submitted an investigation or wrote its actions may not concur or approve
    #: (an admin may set it aside for one step, with a written reason).
    separation_of_duties: bool = True
    #: Printed on every page of a report; None: the default notice (patient safety work
    #: product / peer-review privilege); "": none.
    confidentiality_notice: str | None = None
    #: The paper of the DOCX and PDF reports and of the HTML's print stylesheet.
    paper_size: str = "letter"
    #: The document language the reports declare (BCP 47: "en", "fr-CA"): the PDF's /Lang, the
    #: HTML's lang, the DOCX's and XLSX's properties, for screen readers and spell checkers.
    language: str = "en"
    #: The board pack (`rca trends --format`) prints counts below this as "<N".
    small_cell: int = 5
    _deadline_policy: DeadlinePolicy = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            policy = DeadlinePolicy(
                self.rca_target_days,
                BusinessCalendar(
                    self.holiday_country,
                    self.holiday_subdivision,
                    frozenset(self.extra_holidays),
                ),
            )
        except DeadlineSettingError as exc:
            key = _DEADLINE_KEYS[exc.setting]
            raise SettingsError(f"setting '{key}': {exc.reason}") from None
        object.__setattr__(self, "_deadline_policy", policy)

    def deadline_policy(self) -> DeadlinePolicy:
        """How deadlines are counted under these settings (checked when they were made)."""
        return self._deadline_policy

    def user_name(self) -> str:
        if self.user:
            return self.user
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"

    @classmethod
    def from_mapping(cls, data: dict[str, object]) -> Settings:
        return cls(**cls.checked(data))

    @classmethod
    def checked(cls, data: dict[str, object]) -> dict[str, Any]:
        """Every key known and every value of the right kind (what one file can be judged on
        alone); the values as the settings hold them (so typed `Any`: `_check` made them the
        type of their field)."""
        known = {f.name for f in fields(cls) if f.init}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(
                f"setting '{unknown[0]}': not a setting (known: {', '.join(sorted(known))})"
            )
        return {key: _check(key, value) for key, value in data.items()}


#: The settings key of each field of `DeadlinePolicy` and `BusinessCalendar`.
_DEADLINE_KEYS = {
    "target_days": "rca_target_days",
    "country": "holiday_country",
    "subdivision": "holiday_subdivision",
    "extra_holidays": "extra_holidays",
}


def _check(key: str, value: object) -> object:
    if key in ("db", "user", "holiday_country", "holiday_subdivision", "theme"):
        if value is None or isinstance(value, str):
            return value or None
        raise SettingsError(f"setting '{key}': expected text")
    if key == "confidentiality_notice":
        if not isinstance(value, str) or len(value) > 1000:
            raise SettingsError(f"setting '{key}': expected text (at most 1,000 characters)")
        return " ".join(value.split())
    if key == "paper_size":
        from exports.report import PAPER_SIZES  # only when the setting is given

        size = value.strip().lower() if isinstance(value, str) else value
        if size not in PAPER_SIZES:
            raise SettingsError(f"setting '{key}': expected one of {', '.join(PAPER_SIZES)}")
        return size
    if key == "language":
        from exports.language import LanguageTagError, language_tag

        try:
            return language_tag(value)
        except LanguageTagError as exc:
            raise SettingsError(f"setting '{key}': {exc}") from None
    if key == "mouse":
        if value is None or isinstance(value, bool):
            return value
        raise SettingsError(f"setting '{key}': expected true or false")
    if key == "separation_of_duties":
        if isinstance(value, bool):
            return value
        raise SettingsError(f"setting '{key}': expected true or false")
    if key == "rca_target_days":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
            raise SettingsError(f"setting '{key}': expected a whole number of days, 1 to 365")
        return value
    if key == "small_cell":
        if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 100:
            raise SettingsError(f"setting '{key}': expected a whole number, 2 to 100")
        return value
    if key == "extra_holidays":
        if not isinstance(value, list | tuple):
            raise SettingsError(f"setting '{key}': expected a list of dates")
        days = []
        for item in value:
            if isinstance(item, dt.datetime):
                item = item.date()
            if isinstance(item, str):
                try:
                    item = dt.date.fromisoformat(item)
                except ValueError:
                    raise SettingsError(f"setting '{key}': {item!r} is not a date") from None
            if not isinstance(item, dt.date):
                raise SettingsError(f"setting '{key}': {item!r} is not a date")
            days.append(item)
        return tuple(days)
    return value  # pragma: no cover - every field is handled above


#: The server-wide settings an administrator writes, read before each user's own.
SYSTEM_CONFIG = Path("/etc/rca-tui/config.toml")
#: Settings only the server-wide file may set: a policy, not a preference. A user's file that
#: sets one is refused (anyone could otherwise switch separation of duties off for themselves).
SYSTEM_ONLY = frozenset({"separation_of_duties", "small_cell"})


def system_config_path() -> Path:
    env = os.environ.get("RCA_SYSTEM_CONFIG")
    return Path(env).expanduser() if env else SYSTEM_CONFIG


def _switch(name: str, value: str) -> bool:
    """An on/off environment variable (on, off, yes, no, true, false, 1, 0)."""
    word = value.strip().lower()
    if word in ("on", "yes", "true", "1"):
        return True
    if word in ("off", "no", "false", "0"):
        return False
    raise SettingsError(f"{name}={value!r}: expected on or off")


def config_path() -> Path:
    env = os.environ.get("RCA_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path("rca-tui", appauthor=False) / "config.toml"


def _read(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    import tomllib  # only when there is a file: most starts have none (issue 16)

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RcaError(f"{path}: cannot read the settings ({exc})") from None


def load_settings(**overrides: object) -> Settings:
    """Settings from the server-wide file, then the user's file, the environment and the given
    overrides (None means 'not given'); each later one wins, except for `SYSTEM_ONLY` keys."""
    system, path = system_config_path(), config_path()
    data: dict[str, object] = {}
    for source in (system, path):
        found = _read(source)
        if source != system:
            locked = sorted(SYSTEM_ONLY & set(found))
            if locked:
                raise SettingsError(
                    f"{source}: setting '{locked[0]}': only the administrator sets it, in {system}"
                )
        try:
            Settings.checked(found)  # each file's keys and kinds, naming that file
        except SettingsError as exc:
            raise SettingsError(f"{source}: {exc.message}") from None
        data.update(found)
    for key, env in (("db", "RCA_DB"), ("user", "RCA_USER")):
        if os.environ.get(env):
            data[key] = os.environ[env]
    if os.environ.get("RCA_MOUSE"):
        data["mouse"] = _switch("RCA_MOUSE", os.environ["RCA_MOUSE"])
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.from_mapping(data)
    except SettingsError as exc:
        raise SettingsError(f"{path}: {exc.message}") from None
