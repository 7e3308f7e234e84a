"""Policy documents split into citable passages; the front matter is never indexed."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.support.errors import PolicyDocumentError
from assistant.support.policy_docs import CHUNK_CHARS, load_policies, split_document

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]
DOC = """---
document: shipping
title: Shipping and delivery
rules:
  secret_marker_in_front_matter: 42
---
# Shipping and delivery

We ship to the US.

## Delivery times

Standard shipping arrives in 3 to 5 business days.

### Remote areas

Alaska takes longer.
"""


def test_sections_become_passages_with_their_headings() -> None:
    passages = split_document(DOC, "fallback-id")
    assert [(p.document, p.section) for p in passages] == [
        ("shipping", "Overview"),
        ("shipping", "Delivery times"),
        ("shipping", "Delivery times › Remote areas"),
    ]
    assert {p.title for p in passages} == {"Shipping and delivery"}
    assert passages[1].text == "Standard shipping arrives in 3 to 5 business days."


def test_front_matter_is_not_indexed() -> None:
    passages = split_document(DOC, "x")
    assert not any("secret_marker" in p.text or "rules" in p.text for p in passages)


def test_without_front_matter_the_file_name_and_h1_name_it() -> None:
    passages = split_document("# Gift cards\n\n## Expiry\n\nThey never expire.\n", "gifts")
    assert [(p.document, p.title, p.section) for p in passages] == [
        ("gifts", "Gift cards", "Expiry")
    ]


def test_ids_follow_the_content() -> None:
    a = split_document(DOC, "x")
    b = split_document(DOC.replace("3 to 5", "2 to 4"), "x")
    assert a[0].id == b[0].id and a[1].id != b[1].id


def test_bad_front_matter_and_missing_folder_are_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyDocumentError):
        split_document("---\n[unclosed\n---\n# T\n", "x")
    with pytest.raises(PolicyDocumentError):
        load_policies(tmp_path / "missing")
    with pytest.raises(PolicyDocumentError):
        load_policies(tmp_path)  # no documents


def test_bundled_policies_cover_every_document_in_short_passages() -> None:
    passages = load_policies(REPO / "data" / "policies")
    documents = {p.document for p in passages}
    assert {"shipping", "payment", "account", "faq", "returns", "refunds", "warranty"} <= documents
    assert all(len(p.text) <= CHUNK_CHARS for p in passages)
    assert len({p.id for p in passages}) == len(passages)
    assert not any(p.text.startswith("---") or "rules:" in p.text for p in passages)
