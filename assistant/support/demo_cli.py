"""``shopbot demo``: seed the demo customers and orders, print a customer token."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from assistant.config import Settings
from assistant.wiring import Services

demo_app = typer.Typer(help="Demo customers, orders and tokens.", no_args_is_help=True)


def _services() -> Services:
    logging.basicConfig(level=logging.WARNING)
    return Services(Settings())


@demo_app.command("seed")
def seed() -> None:
    """Add the demo customers and orders (data/demo/orders.json) that are not in the store."""
    services = _services()
    try:
        report = services.seed_demo()
    finally:
        services.close()
    typer.echo(
        f"added {report.customers} customers, {report.orders} orders, {report.returns} returns"
    )


@demo_app.command("token")
def token(
    customer: Annotated[str, typer.Argument(help="Customer id, e.g. alice.")],
    ttl_minutes: Annotated[
        int | None, typer.Option(min=1, help="Lifetime (default: the settings' TTL).")
    ] = None,
) -> None:
    """Print a signed token for CUSTOMER (send it as `customer_token` on POST /api/v1/chat)."""
    services = _services()
    try:
        if services.orders.get_customer(customer) is None:
            known = ", ".join(c.id for c in services.orders.list_customers()) or "none"
            typer.echo(f"error: unknown customer {customer!r} (known: {known})", err=True)
            raise typer.Exit(code=2)
        ttl = ttl_minutes * 60 if ttl_minutes else None
        typer.echo(services.customer_tokens.issue(customer, ttl_seconds=ttl))
    finally:
        services.close()


@demo_app.command("customers")
def customers() -> None:
    """List the customers in the store."""
    services = _services()
    try:
        for customer in services.orders.list_customers():
            typer.echo(f"{customer.id}\t{customer.name}\t{customer.email}")
    finally:
        services.close()
