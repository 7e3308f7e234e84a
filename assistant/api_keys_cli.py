"""``shopbot keys``: create, list and revoke developer API keys (stored as SHA-256 hashes)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from assistant.config import Settings
from db.api_keys import ApiKeyRecord, ApiKeyRepository
from db.session import create_db_engine, make_session_factory, migrate

keys_app = typer.Typer(help="Developer API keys for /api and /v1 (issue 7).")


def _keys() -> ApiKeyRepository:
    logging.basicConfig(level=logging.WARNING)
    engine = create_db_engine(Settings().database_url)
    migrate(engine)
    return ApiKeyRepository(make_session_factory(engine))


def _when(record: ApiKeyRecord) -> str:
    return record.created_at.strftime("%Y-%m-%d %H:%M")


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="Who or what the key is for.")],
    rate_limit: Annotated[
        int | None,
        typer.Option(
            "--rate-limit",
            min=0,
            help="Requests per minute for this key (default: the rate_limit_per_minute "
            "setting; 0 = unlimited).",
        ),
    ] = None,
) -> None:
    """Create a key and print it once: only its hash is stored, it cannot be shown again."""
    try:
        new = _keys().create(name, rate_limit_per_minute=rate_limit)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--name") from e
    typer.echo(new.key)
    typer.echo(
        f"created API key {new.record.prefix} ({new.record.name}); store it now, it is not "
        "shown again. Send it as 'Authorization: Bearer <key>'.",
        err=True,
    )


@keys_app.command("list")
def list_keys() -> None:
    """List keys: prefix, name, created, revoked (never the key itself)."""
    for key in _keys().list_keys():
        revoked = key.revoked_at.strftime("%Y-%m-%d %H:%M") if key.revoked_at else "-"
        limit = "default" if key.rate_limit_per_minute is None else str(key.rate_limit_per_minute)
        typer.echo(
            f"{key.prefix}\t{key.name}\tcreated {_when(key)}\trevoked {revoked}\t{limit}/min"
        )


@keys_app.command("revoke")
def revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (see `keys list`).")],
) -> None:
    """Revoke a key; running servers stop accepting it within api_key_cache_seconds."""
    record = _keys().revoke(prefix.removeprefix("sb_").split("_")[0])
    if record is None:
        typer.echo(f"error: no API key with prefix {prefix!r}", err=True)
        raise typer.Exit(code=2)
    typer.echo(f"revoked API key {record.prefix} ({record.name})")
