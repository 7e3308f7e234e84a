"""Session history and popularity priors read from the SQL log (real migrated SQLite)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.conversations import ConversationRepository
from db.products import ProductRepository
from db.records import NewEvent, NewTurn, ShownProduct
from db.session import create_db_engine, make_session_factory, migrate
from ranking.errors import RankingError
from ranking.history import SqlHistoryReader
from ranking.popularity import PopularityTable, ProductCounts, SqlPopularity, smoothed_ctr
from retrieval.catalog.product import Product

pytestmark = pytest.mark.unit

PRODUCTS = [
    ("p1", "Lenovo", "laptop", "799.00"),
    ("p2", "Lenovo", "laptop", "999.00"),
    ("p3", "HP", "laptop", "499.00"),
    ("p4", "HP", "mouse", "19.99"),
]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def conversations(engine: Engine) -> ConversationRepository:
    factory = make_session_factory(engine)
    ProductRepository(factory).upsert_many(
        [
            Product(id=pid, title=f"{brand} {pid}", brand=brand, category=cat, price=Decimal(p))
            for pid, brand, cat, p in PRODUCTS
        ]
    )
    return ConversationRepository(factory)


def _turn(repo: ConversationRepository, session_id: str, shown: list[str]) -> int:
    products = [ShownProduct(product_id=p, position=i, score=1.0) for i, p in enumerate(shown, 1)]
    turn = NewTurn(
        session_id=session_id, user_message="x", reply="y", intent="search", products=products
    )
    return repo.record_turn(turn).id


def _event(repo: ConversationRepository, sid: str, pid: str, kind: str, turn: int | None) -> None:
    repo.record_event(NewEvent(session_id=sid, product_id=pid, type=kind, turn_id=turn))  # type: ignore[arg-type]


def test_history_is_the_sessions_events_oldest_first_with_product_facts(
    conversations: ConversationRepository,
) -> None:
    chat = conversations.create_session()
    first = _turn(conversations, chat.id, ["p1", "p3"])
    _event(conversations, chat.id, "p3", "click", first)
    _event(conversations, chat.id, "p1", "add_to_cart", first)
    _turn(conversations, chat.id, ["p2"])
    other = conversations.create_session()
    _turn(conversations, other.id, ["p4"])
    _event(conversations, other.id, "p4", "click", None)

    history = SqlHistoryReader(conversations).history(chat.id)
    assert [(i.product_id, i.brand, i.category, i.price, i.event) for i in history.items] == [
        ("p3", "HP", "laptop", 499.0, "click"),
        ("p1", "Lenovo", "laptop", 799.0, "add_to_cart"),
    ]
    assert history.shown_prices == [799.0, 499.0, 999.0]


def test_no_session_or_a_new_one_has_an_empty_history(
    conversations: ConversationRepository,
) -> None:
    reader = SqlHistoryReader(conversations, max_items=1)
    assert reader.history(None).items == [] and reader.history("unknown").items == []
    chat = conversations.create_session()
    t = _turn(conversations, chat.id, ["p1"])
    _event(conversations, chat.id, "p1", "click", t)
    _event(conversations, chat.id, "p2", "click", None)
    assert [i.product_id for i in reader.history(chat.id).items] == ["p2"]  # most recent kept


def test_a_database_failure_is_a_ranking_error(
    conversations: ConversationRepository, engine: Engine
) -> None:
    class Broken:
        def session_activity(self, session_id: str) -> tuple[list[tuple], list[Decimal]]:  # type: ignore[type-arg]
            raise OSError("disk gone")

    with pytest.raises(RankingError):
        SqlHistoryReader(Broken()).history("s")  # type: ignore[arg-type]


def test_impression_outcomes_count_positives_by_the_turn_they_answer(
    conversations: ConversationRepository,
) -> None:
    a = conversations.create_session()
    t1 = _turn(conversations, a.id, ["p1", "p2"])
    _event(conversations, a.id, "p1", "click", t1)
    _event(conversations, a.id, "p1", "purchase", t1)  # still one positive impression
    t2 = _turn(conversations, a.id, ["p1"])  # shown again, not acted on this time
    _event(conversations, a.id, "p2", "click", None)  # no turn: not attributed
    assert t2
    assert conversations.impression_outcomes() == {
        "p1": ("laptop", 2, 1),
        "p2": ("laptop", 1, 0),
    }
    assert conversations.impression_outcomes("simulated") == {}


def test_smoothing_formula_and_priors() -> None:
    assert smoothed_ctr(0, 0, prior=0.1, strength=10) == pytest.approx(0.1)
    assert smoothed_ctr(5, 10, prior=0.1, strength=10) == pytest.approx(0.3)
    with pytest.raises(ValueError):
        smoothed_ctr(3, 2, prior=0.1, strength=10)
    table = PopularityTable.from_counts(
        {"a": ProductCounts("laptop", 100, 30), "b": ProductCounts("laptop", 100, 10),
         "c": ProductCounts("mouse", 10, 0)},
        strength=10,
    )  # fmt: skip
    assert table.global_ctr == pytest.approx((40 + 10 * 0.05) / (210 + 10))
    assert table.category_ctr("laptop") == pytest.approx((40 + 10 * table.global_ctr) / 210)
    assert table.product_ctr("a") > table.category_ctr("laptop") > table.product_ctr("b")
    assert table.product_ctr("never-shown") == table.global_ctr
    assert table.category_ctr("unknown") == table.global_ctr
    assert table.category_median("laptop", min_impressions=50) == pytest.approx(
        (table.product_ctr("a") + table.product_ctr("b")) / 2
    )
    assert table.category_median("mouse", min_impressions=50) is None


def test_sql_popularity_refreshes_at_most_every_n_seconds(
    conversations: ConversationRepository,
) -> None:
    now = [0.0]
    popularity = SqlPopularity(
        conversations, refresh_seconds=60, clock=lambda: now[0], background=False
    )
    assert popularity.product_ctr("p1") == pytest.approx(0.05)  # empty log: the default prior
    chat = conversations.create_session()
    for _ in range(5):
        t = _turn(conversations, chat.id, ["p1", "p3"])
        _event(conversations, chat.id, "p1", "click", t)
    now[0] = 30.0
    assert popularity.product_ctr("p1") == pytest.approx(0.05)  # not refreshed yet
    now[0] = 61.0
    assert popularity.product_ctr("p1") > popularity.product_ctr("p3")
    assert popularity.impressions_of("p1") == 5


def test_a_failed_refresh_keeps_the_previous_priors() -> None:
    class Flaky:
        calls = 0

        def impression_outcomes(self, source: object = None) -> dict[str, tuple[str, int, int]]:
            self.calls += 1
            if self.calls > 1:
                raise OSError("locked")
            return {"p1": ("laptop", 50, 25)}

    popularity = SqlPopularity(Flaky(), refresh_seconds=0, background=False)
    before = popularity.product_ctr("p1")
    assert popularity.product_ctr("p1") == before > 0.3


def test_a_stale_table_is_refreshed_in_the_background_while_the_old_one_serves() -> None:
    class Counts:
        def __init__(self) -> None:
            self.rows = {"p1": ("laptop", 50, 5)}
            self.calls = 0

        def impression_outcomes(self, source: object = None) -> dict[str, tuple[str, int, int]]:
            self.calls += 1
            if self.calls > 1:
                assert release.wait(5)  # the refresh is slow: requests must not wait for it
            return dict(self.rows)

    now = [0.0]
    release = threading.Event()
    counts = Counts()
    popularity = SqlPopularity(counts, refresh_seconds=10, clock=lambda: now[0])
    before = popularity.product_ctr("p1")
    counts.rows = {"p1": ("laptop", 50, 45)}
    now[0] = 11.0
    assert popularity.product_ctr("p1") == before  # served from the old table meanwhile
    assert popularity.product_ctr("p1") == before  # still one refresh in flight, not two
    release.set()
    popularity.wait(5)
    assert popularity.product_ctr("p1") > before and counts.calls == 2
