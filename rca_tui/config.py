"""Settings: where the database is, who the user is, deadlines and holidays.

Read, in order of precedence: command-line options, environment (`RCA_DB`, `RCA_USER`,
`RCA_CONFIG`), the TOML file (`~/.config/rca-tui/config.toml` on Linux), defaults. The file is
optional; a bad value in it is reported with the file and key, like any other bad input.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from models.errors import RcaError


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    db: str | None = None
    user: str | None = None
    #: Days from the RCA decision to the target completion date.
    rca_target_days: int = Field(default=45, ge=1, le=365)
    #: Country (and optional subdivision) whose public holidays are not business days.
    holiday_country: str | None = "US"
    holiday_subdivision: str | None = None
    #: Extra non-working days of this hospital.
    extra_holidays: list[dt.date] = []
    theme: str | None = None
    mouse: bool | None = None

    def user_name(self) -> str:
        if self.user:
            return self.user
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"


def config_path() -> Path:
    env = os.environ.get("RCA_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path("rca-tui", appauthor=False) / "config.toml"


def load_settings(**overrides: object) -> Settings:
    """Settings from file, environment and the given overrides (None means 'not given')."""
    data: dict[str, object] = {}
    path = config_path()
    if path.is_file():
        try:
            data.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise RcaError(f"{path}: cannot read the settings ({exc})") from None
    for key, env in (("db", "RCA_DB"), ("user", "RCA_USER")):
        if os.environ.get(env):
            data[key] = os.environ[env]
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(data)
    except PydanticError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise RcaError(f"{path}: setting '{key}': {err['msg']}") from None
