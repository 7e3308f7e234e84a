from decimal import Decimal
from pathlib import Path

import pytest

from retrieval.catalog.product import Product
from retrieval.lexical import LexicalRetriever
from retrieval.lexical_build import LexicalIndexBuilder
from retrieval.lexical_index import LexicalIndex, LexicalIndexError, read_manifest
from retrieval.search import SearchQuery
from retrieval.tokenizer import ProductTokenizer
from tests.retrieval.lexical_helpers import MemoryProducts

pytestmark = pytest.mark.unit


def _cable(pid: str, title: str = "USB cable", price: str = "10") -> Product:
    return Product(
        id=pid,
        title=f"{title} {pid}",
        brand="C2G",
        category="cable",
        price=Decimal(price),
        attributes={"part_number": f"CBL{pid}X"},
    )


def _ids(index: LexicalIndex, text: str) -> list[str]:
    hits = LexicalRetriever(index, MemoryProducts([])).search(SearchQuery(text=text, k=50))
    return [h.product_id for h in hits]


def test_build_persist_and_skip_when_unchanged(tmp_path: Path) -> None:
    source = MemoryProducts([_cable(str(i)) for i in range(20)])
    builder = LexicalIndexBuilder(source, tmp_path / "lexical")
    assert not builder.is_current()

    first = builder.build()
    assert (first.documents, first.rebuilt) == (20, True) and first.vocabulary
    assert builder.is_current()
    second = builder.build()
    assert (second.documents, second.rebuilt) == (20, False)

    loaded = LexicalIndex.load(tmp_path / "lexical")
    assert sorted(loaded.product_ids) == sorted(source.products)
    assert _ids(loaded, "CBL7X")[0] == "7"


def test_changed_and_removed_products_trigger_a_rebuild(tmp_path: Path) -> None:
    source = MemoryProducts([_cable(str(i)) for i in range(10)])
    builder = LexicalIndexBuilder(source, tmp_path / "lexical")
    builder.build()
    source.products["3"] = _cable("3", title="HDMI lead")
    del source.products["4"]
    assert not builder.is_current()
    report = builder.build()
    assert report.rebuilt and report.documents == 9
    index = builder.load()
    assert _ids(index, "hdmi") == ["3"]
    assert "4" not in index.product_ids
    manifest = read_manifest(tmp_path / "lexical")
    assert manifest is not None and manifest.hashes() == source.content_hashes()


def test_another_tokenizer_triggers_a_rebuild(tmp_path: Path) -> None:
    source = MemoryProducts([_cable(str(i)) for i in range(5)])
    LexicalIndexBuilder(source, tmp_path / "lexical").build()
    other = LexicalIndexBuilder(source, tmp_path / "lexical", ProductTokenizer(stem=False))
    assert not other.is_current()
    assert other.build().rebuilt


def test_force_rebuilds_and_old_versions_are_removed(tmp_path: Path) -> None:
    source = MemoryProducts([_cable(str(i)) for i in range(5)])
    builder = LexicalIndexBuilder(source, tmp_path / "lexical")
    builder.build()
    assert builder.build(force=True).rebuilt
    versions = list((tmp_path / "lexical").glob("index-*"))
    assert len(versions) == 1


def test_load_builds_a_missing_index(tmp_path: Path) -> None:
    source = MemoryProducts([_cable(str(i)) for i in range(3)])
    index = LexicalIndexBuilder(source, tmp_path / "lexical").load()
    assert index.size == 3


def test_missing_or_broken_index_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LexicalIndexError):
        LexicalIndex.load(tmp_path / "nothing")
    source = MemoryProducts([_cable("1")])
    LexicalIndexBuilder(source, tmp_path / "lexical").build()
    (tmp_path / "lexical" / "CURRENT").write_text("index-gone")
    assert read_manifest(tmp_path / "lexical") is None
    with pytest.raises(LexicalIndexError):
        LexicalIndex.load(tmp_path / "lexical")


def test_builder_validates_its_configuration(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        LexicalIndexBuilder(MemoryProducts([]), tmp_path, chunk_size=0)


def test_an_empty_catalog_gives_an_empty_index(tmp_path: Path) -> None:
    builder = LexicalIndexBuilder(MemoryProducts([]), tmp_path / "lexical")
    assert builder.build().documents == 0
    index = builder.load()
    assert index.size == 0 and _ids(index, "cable CE285A") == []
