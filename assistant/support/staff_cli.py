"""``shopbot staff``: create, list, disable and enable staff accounts for the console and API."""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Literal

import typer
from pydantic import TypeAdapter, ValidationError

from assistant.config import Settings
from assistant.support.errors import StaffAccountError
from assistant.support.services import SupportServices
from assistant.support.staff_auth import MIN_PASSWORD_CHARS, hash_password
from db.support_records import Username

staff_app = typer.Typer(help="Staff accounts (customer service console and API).")
_USERNAME: TypeAdapter[str] = TypeAdapter(Username)


def _support() -> SupportServices:
    from assistant.wiring import Services

    logging.basicConfig(level=logging.WARNING)
    return Services(Settings()).support


def _checked_username(username: str) -> str:
    try:
        return _USERNAME.validate_python(username)
    except ValidationError as e:
        raise typer.BadParameter(
            "2-64 characters: letters, digits, '_', '.', '@' or '-'", param_hint="USERNAME"
        ) from e


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@staff_app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[
        str, typer.Option(help="agent (reply, decide returns) or viewer (read-only).")
    ] = "agent",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Create a staff account; the password is prompted (or read from stdin) and stored hashed."""
    if role not in ("agent", "viewer"):
        raise typer.BadParameter("role must be agent or viewer", param_hint="--role")
    name = _checked_username(username)
    password = _read_password(password_stdin)
    chosen: Literal["agent", "viewer"] = "agent" if role == "agent" else "viewer"
    try:
        user = _support().staff_auth.create_account(name, password, chosen)
    except StaffAccountError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(code=2) from e
    typer.echo(f"created staff account {user.username} ({user.role})")


@staff_app.command("list")
def list_accounts() -> None:
    """List staff accounts."""
    for user in _support().staff.list_users():
        state = "active" if user.active else "disabled"
        typer.echo(f"{user.username}\t{user.role}\t{state}")


def _set_active(username: str, active: bool) -> None:
    user = _support().staff.update_user(username, active=active)
    if user is None:
        typer.echo(f"error: no staff account {username!r}", err=True)
        raise typer.Exit(code=2)
    typer.echo(f"{user.username}: {'active' if user.active else 'disabled'}")


@staff_app.command("disable")
def disable(username: Annotated[str, typer.Argument()]) -> None:
    """Disable an account and revoke its tokens."""
    _set_active(username, False)


@staff_app.command("enable")
def enable(username: Annotated[str, typer.Argument()]) -> None:
    """Enable a disabled account."""
    _set_active(username, True)


@staff_app.command("password")
def change_password(
    username: Annotated[str, typer.Argument()],
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Set a new password (revokes the account's tokens)."""
    password = _read_password(password_stdin)
    if len(password) < MIN_PASSWORD_CHARS:
        typer.echo(f"error: the password needs at least {MIN_PASSWORD_CHARS} characters", err=True)
        raise typer.Exit(code=2)
    if _support().staff.update_user(username, password_hash=hash_password(password)) is None:
        typer.echo(f"error: no staff account {username!r}", err=True)
        raise typer.Exit(code=2)
    typer.echo(f"{username}: password changed")
