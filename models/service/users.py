"""Users and their roles. Whoever opens a database without users first is its admin; anyone not
in the table is an investigator. Only admins manage the table, and the last admin stays one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlmodel import Session, col

from models import review, values
from models.domain import User
from models.errors import (
    LockedError,
    NotFoundError,
    ReadOnlyError,
    ValidationError,
)
from models.service.core import UnitOfWork
from models.tables import AppUserRow

if TYPE_CHECKING:
    pass


def ensure_admin(uow: UnitOfWork) -> None:
    """A database without users gets one: whoever opens it first (its creator) is admin."""
    try:
        with uow.write() as tx:
            if tx.s.execute(select(col(AppUserRow.id)).limit(1)).first() is not None:
                return  # someone else got there first
            name = values.title("user name", uow.login)
            row = AppUserRow(name=name, role=review.ADMIN, created_by=name, created_at=tx.at)
            tx.s.add(row)
            tx.s.flush()
            tx.created(None, "app_user", row, summary=f"{name}: admin")
    except (LockedError, ReadOnlyError, ValidationError):
        pass  # busy or not writable now: the next service to open it tries again


def list_users(uow: UnitOfWork) -> list[User]:
    """The users with a stored role, by name. Anyone else is an investigator."""
    with uow.read() as s:
        rows = s.execute(select(AppUserRow).order_by(col(AppUserRow.name))).scalars()
        return [User.from_row(r) for r in rows]


def role_of(uow: UnitOfWork, name: str) -> str | None:
    """The stored role of a user name, or None for a name not in the user table (such a
    user acts as an investigator: see `models.review`)."""
    with uow.read() as s:
        return s.execute(
            select(col(AppUserRow.role)).where(col(AppUserRow.name) == name)
        ).scalar_one_or_none()


def current_role(uow: UnitOfWork) -> str:
    """The role this service's user acts with (investigator when not in the user table)."""
    return review.effective_role(role_of(uow, uow.login))


def add_user(uow: UnitOfWork, name: str, role: str) -> User:
    """Give a user name a role (admin only). A name already listed is refused."""
    data = values.normalise(values.USER, {"name": name, "role": role})
    with uow.write() as tx:
        uow.require_role(tx.s, review.USER_ROLES, "add users")
        existing = user_row(tx.s, data["name"])
        if existing is not None:
            raise ValidationError(
                f"user {existing.name}: is already listed as {existing.role}; "
                "change the role instead of adding the user again"
            )
        row = AppUserRow(**data, created_by=tx.login, created_at=tx.at)
        tx.s.add(row)
        tx.s.flush()
        tx.created(None, "app_user", row, summary=f"{row.name}: {row.role}")
        return User.from_row(row)


def set_role(uow: UnitOfWork, name: str, role: str) -> User:
    """Change a listed user's role (admin only); the last admin keeps the role."""
    data = values.normalise(values.USER, {"name": name, "role": role})
    with uow.write() as tx:
        uow.require_role(tx.s, review.USER_ROLES, "change roles")
        row = user_row(tx.s, data["name"])
        if row is None:
            raise NotFoundError(f"There is no user {data['name']} (add the user first)")
        if row.role == review.ADMIN and data["role"] != review.ADMIN:
            keep_an_admin(tx.s, row.name)
        uow.apply(tx, row, {"role": data["role"]}, None, "app_user")
        tx.s.flush()
        return User.from_row(row)


def remove_user(uow: UnitOfWork, name: str) -> None:
    """Take a user name out of the table (admin only); it becomes an investigator again."""
    with uow.write() as tx:
        uow.require_role(tx.s, review.USER_ROLES, "remove users")
        row = user_row(tx.s, name.strip())
        if row is None:
            raise NotFoundError(f"There is no user {name.strip()}")
        if row.role == review.ADMIN:
            keep_an_admin(tx.s, row.name)
        tx.audit(None, "app_user", row.id, "delete", None, f"{row.name}: {row.role}", None)
        tx.s.delete(row)


def user_row(s: Session, name: str) -> AppUserRow | None:
    return s.execute(select(AppUserRow).where(col(AppUserRow.name) == name)).scalar_one_or_none()


def keep_an_admin(s: Session, leaving: str) -> None:
    others = s.execute(
        select(func.count())
        .select_from(AppUserRow)
        .where(col(AppUserRow.role) == review.ADMIN, col(AppUserRow.name) != leaving)
    ).scalar_one()
    if not others:
        raise ValidationError(f"user {leaving}: is the only admin; make someone else admin first")
