"""Small synthetic CTR logs written through the real repository (for the CTR tests).

Each session looks for one category and prefers one brand of it; a shown product is clicked
with probability examination(position) x attractiveness(brand preference), the same shape
as the simulator's click model but tiny and fully determined by the seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from db.records import NewEvent, NewTurn, ShownProduct
from ranking.features import signals_from_candidate
from retrieval.search import Candidate, SearchQuery

QUERIES = {
    "laptop": ["laptop", "notebook computer", "lightweight laptop"],
    "monitor": ["monitor", "computer screen", "wide monitor"],
    "mouse": ["mouse", "wireless mouse", "optical mouse"],
    "keyboard": ["keyboard", "wireless keyboard", "usb keyboard"],
    "printer": ["printer", "laser printer", "colour printer"],
}

BeforeTurn = Callable[[str, str, list[Candidate]], None]


def write_synthetic_logs(
    services: object,
    sessions: int,
    seed: int = 0,
    turns: int = 3,
    shown: int = 5,
    before_turn: BeforeTurn | None = None,
) -> list[str]:
    """Write ``sessions`` simulated sessions; returns their ids.

    ``before_turn(session_id, query, candidates)`` runs before each turn is stored: what
    serving would see at that moment.
    """
    rng = random.Random(seed)
    retriever = services.dense_retriever  # type: ignore[attr-defined]
    repo = services.conversations  # type: ignore[attr-defined]
    pools: dict[str, list[Candidate]] = {}
    ids = []
    for _ in range(sessions):
        category = rng.choice(sorted(QUERIES))
        chat = repo.create_session()
        ids.append(chat.id)
        favourite: str | None = None
        for _turn in range(turns):
            query = rng.choice(QUERIES[category])
            if query not in pools:
                pools[query] = retriever.retrieve(SearchQuery(text=query, k=30)).items
            pool = pools[query]
            favourite = favourite or rng.choice(sorted({c.product.brand for c in pool}))
            offset = rng.randrange(0, max(1, len(pool) - shown))
            cands = pool[offset : offset + shown]
            if before_turn is not None:
                before_turn(chat.id, query, cands)
            turn = repo.record_turn(
                NewTurn(
                    session_id=chat.id,
                    user_message=query,
                    reply="Here are some products.",
                    intent="search",
                    query=query,
                    products=[
                        ShownProduct(
                            product_id=c.product.id,
                            position=i,
                            score=c.score,
                            signals=signals_from_candidate(c),
                            ranker="diversified",
                        )
                        for i, c in enumerate(cands, start=1)
                    ],
                    source="simulated",
                )
            )
            for position, cand in enumerate(cands, start=1):
                attractive = 0.8 if cand.product.brand == favourite else 0.08
                if rng.random() < attractive / position**0.5:
                    repo.record_event(
                        NewEvent(
                            session_id=chat.id,
                            product_id=cand.product.id,
                            type="click",
                            turn_id=turn.id,
                            source="simulated",
                        )
                    )
    return ids


def tiny_training_rows(sessions: int = 60, seed: int = 0, dim: int = 16):
    """Training rows without a database or BERT: random unit vectors, a brand-loving click model."""
    from decimal import Decimal

    import numpy as np

    from ranking.dataset import LoggedTurn, Shown, VectorTable, build_training_rows
    from retrieval.catalog.product import Product

    rng = np.random.default_rng(seed)
    brands = ["Acer", "Asus", "Dell", "HP", "Lenovo"]
    categories = ["laptop", "monitor"]
    products = {
        f"p{i}": Product(
            id=f"p{i}",
            title=f"product {i}",
            brand=brands[i % len(brands)],
            category=categories[i % 2],
            price=Decimal(str(50 + 37 * (i % 23))),
        )
        for i in range(80)
    }
    ids = sorted(products)
    vectors = rng.normal(size=(len(ids), dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    table = VectorTable(ids, vectors)
    turns: list[LoggedTurn] = []
    queries = {}
    for s in range(sessions):
        favourite = brands[s % len(brands)]
        history: list[tuple[str, str]] = []
        shown_before: list[tuple[str, int]] = []
        for t in range(3):
            query = f"query {s % 7}"
            queries[query] = vectors[s % 7]
            picked = rng.choice(ids, size=5, replace=False)
            shown = []
            for pos, pid in enumerate(picked, start=1):
                signals = {"retrieval_score": float(rng.random()), "retrieval_rank": float(pos)}
                if pos % 2:
                    signals |= {"dense_score": float(rng.random()), "dense_rank": float(pos)}
                liked = products[pid].brand == favourite
                label = int(rng.random() < (0.7 if liked else 0.1) / pos**0.5)
                shown.append(Shown(pid, pos, 0.0, signals, label))
            turns.append(
                LoggedTurn(
                    f"s{s}", s * 10 + t, t + 1, query, shown, list(history), list(shown_before)
                )
            )
            history += [(x.product_id, "click") for x in shown if x.label]
            shown_before += [(x.product_id, x.position) for x in shown]
    return build_training_rows(turns, products, table, queries), products, table
