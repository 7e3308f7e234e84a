"""The product catalog table: bulk upsert by content hash and read access.

The SQL catalog is the source of truth; the vector index is derived from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from db.column_types import utcnow
from db.models import ProductRow
from db.records import UpsertCounts
from db.transactions import check_session_factory, read_scope, write_scope
from retrieval.catalog.product import Product

# Bound parameters per IN (...) list; far below every backend's limit.
_IN_CHUNK = 500


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _row_values(product: Product, content_hash: str, now: datetime) -> dict[str, Any]:
    values = product.model_dump(mode="python")
    values.update(content_hash=content_hash, updated_at=now)
    return values


def _to_product(row: ProductRow) -> Product:
    return Product(
        id=row.id,
        title=row.title,
        description=row.description,
        brand=row.brand,
        category=row.category,
        price=row.price,
        currency=row.currency,
        color=row.color,
        attributes=row.attributes,
        image_url=row.image_url,
        source=row.source,
    )


class ProductRepository:
    """Reads and bulk-writes the ``products`` table.

    Example:
        >>> repo = ProductRepository(make_session_factory(engine))
        >>> repo.upsert_many(products)
        UpsertCounts(inserted=20000, updated=0, unchanged=0)
        >>> repo.get("3920564").brand
        'Xerox'
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = check_session_factory(session_factory)

    def upsert_many(self, products: Iterable[Product], batch_size: int = 1000) -> UpsertCounts:
        """Insert new products and update those whose content hash changed.

        Each batch costs one SELECT of the stored hashes, one bulk INSERT and one bulk UPDATE,
        in one transaction. If an id repeats within a batch, its last occurrence wins.

        Args:
            products: The products to store; consumed lazily, one batch at a time.
            batch_size: Products per transaction.

        Raises:
            ValueError: ``batch_size`` is not positive.
            DatabaseError: A batch could not be written (earlier batches stay committed).
        """
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        inserted = updated = unchanged = 0
        for batch in _batched(products, batch_size):
            counts = self._upsert_batch({product.id: product for product in batch})
            inserted += counts.inserted
            updated += counts.updated
            unchanged += counts.unchanged
        return UpsertCounts(inserted=inserted, updated=updated, unchanged=unchanged)

    def _upsert_batch(self, latest: dict[str, Product]) -> UpsertCounts:
        now = utcnow()
        new_rows: list[dict[str, Any]] = []
        changed_rows: list[dict[str, Any]] = []
        with write_scope(self._sessions) as session:
            stored = dict(
                session.execute(
                    select(ProductRow.id, ProductRow.content_hash).where(
                        ProductRow.id.in_(list(latest))
                    )
                )
                .tuples()
                .all()
            )
            for product_id, product in latest.items():
                content_hash = product.content_hash()
                if product_id not in stored:
                    new_rows.append(_row_values(product, content_hash, now) | {"created_at": now})
                elif stored[product_id] != content_hash:
                    changed_rows.append(_row_values(product, content_hash, now))
            if new_rows:
                session.execute(insert(ProductRow), new_rows)
            if changed_rows:
                # ORM bulk UPDATE by primary key: one executemany.
                session.execute(update(ProductRow), changed_rows)
        return UpsertCounts(
            inserted=len(new_rows),
            updated=len(changed_rows),
            unchanged=len(latest) - len(new_rows) - len(changed_rows),
        )

    def get(self, product_id: str) -> Product | None:
        """The product with this id, or None."""
        with read_scope(self._sessions) as session:
            row = session.get(ProductRow, product_id)
            return _to_product(row) if row is not None else None

    def get_many(self, ids: Sequence[str]) -> dict[str, Product]:
        """The products with these ids, keyed by id; unknown ids are left out."""
        unique_ids = list(dict.fromkeys(ids))
        found: dict[str, Product] = {}
        with read_scope(self._sessions) as session:
            for chunk in _batched(unique_ids, _IN_CHUNK):
                rows = session.scalars(select(ProductRow).where(ProductRow.id.in_(chunk)))
                found.update((row.id, _to_product(row)) for row in rows)
        return found

    def iter_all(self, batch_size: int = 1000) -> Iterator[Product]:
        """Every product ordered by id, read page by page (keyset pagination).

        No connection is held while the caller consumes a page.

        Raises:
            ValueError: ``batch_size`` is not positive.
        """
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        return self._iter_pages(batch_size)

    def _iter_pages(self, batch_size: int) -> Iterator[Product]:
        last_id: str | None = None
        while True:
            statement = select(ProductRow).order_by(ProductRow.id).limit(batch_size)
            if last_id is not None:
                statement = statement.where(ProductRow.id > last_id)
            with read_scope(self._sessions) as session:
                page = [_to_product(row) for row in session.scalars(statement)]
            yield from page
            if len(page) < batch_size:
                return
            last_id = page[-1].id

    def content_hashes(self) -> dict[str, str]:
        """Stored content hash per product id."""
        with read_scope(self._sessions) as session:
            return dict(
                session.execute(select(ProductRow.id, ProductRow.content_hash)).tuples().all()
            )

    def ids(self) -> set[str]:
        """All product ids."""
        with read_scope(self._sessions) as session:
            return set(session.scalars(select(ProductRow.id)))

    def count(self) -> int:
        """Number of products."""
        with read_scope(self._sessions) as session:
            return session.scalar(select(func.count()).select_from(ProductRow)) or 0

    def brands(self) -> list[str]:
        """Distinct non-empty brands, sorted (by code point, the same on every backend)."""
        with read_scope(self._sessions) as session:
            brands = session.scalars(
                select(ProductRow.brand).distinct().where(ProductRow.brand != "")
            )
            return sorted(brands)

    def category_counts(self) -> dict[str, int]:
        """Number of products per category slug."""
        statement = select(ProductRow.category, func.count()).group_by(ProductRow.category)
        with read_scope(self._sessions) as session:
            return dict(session.execute(statement).tuples().all())
