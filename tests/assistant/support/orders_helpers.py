"""Helpers for the orders tests: a migrated store seeded with the demo orders at a fixed "now"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from assistant.intents.base import IntentLabel, IntentPrediction
from assistant.support.demo_seed import seed_demo
from assistant.support.orders_desk import OrderDesk
from assistant.support.policy_rules import load_store_rules
from assistant.support.types import SupportReply, SupportRequest
from db.orders import OrderRepository
from db.session import create_db_engine, make_session_factory, migrate

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
POLICIES = Path(__file__).resolve().parents[3] / "data" / "policies"


def seeded_repository(tmp_path: Path) -> OrderRepository:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'orders.db'}")
    migrate(engine)
    repo = OrderRepository(make_session_factory(engine))
    seed_demo(repo, clock=lambda: NOW)
    return repo


def order_desk(repo: OrderRepository) -> OrderDesk:
    return OrderDesk(repo, load_store_rules(POLICIES), clock=lambda: NOW)


class DeskChat:
    """Talks to an OrderDesk turn by turn, carrying the support state like the dialogue does."""

    def __init__(self, desk: OrderDesk, customer_id: str | None) -> None:
        self.desk = desk
        self.customer_id = customer_id
        self.state: dict[str, object] = {}
        self.order_number: str | None = None

    def say(self, text: str, intent: IntentLabel) -> SupportReply:
        request = SupportRequest(
            session_id="s1",
            text=text,
            intent=intent,
            prediction=IntentPrediction(label=intent, confidence=0.9),
            customer_id=self.customer_id,
            order_number=self.order_number,
            support_state=self.state,
        )
        reply = self.desk.handle(request)
        self.state = dict(reply.support_state)
        self.order_number = reply.order_number or self.order_number
        return reply
