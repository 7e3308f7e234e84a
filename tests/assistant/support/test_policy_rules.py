"""The rules in the policy documents' front matter: parsing, validation, prose in step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.support.policy_rules import (
    PolicyRulesError,
    ReturnRules,
    load_store_rules,
    split_front_matter,
)
from retrieval.catalog.categories import CATEGORIES

pytestmark = pytest.mark.unit

POLICIES = Path(__file__).resolve().parents[3] / "data" / "policies"


def test_split_front_matter() -> None:
    meta, body = split_front_matter("---\ndocument: returns\nrules: {a: 1}\n---\n# Returns\ntext\n")
    assert meta == {"document": "returns", "rules": {"a": 1}}
    assert body == "# Returns\ntext\n"


def test_no_front_matter_leaves_the_text() -> None:
    text = "# Shipping\n---\nnot front matter\n---\n"
    assert split_front_matter(text) == ({}, text)


def test_bad_yaml_is_an_error() -> None:
    with pytest.raises(PolicyRulesError):
        split_front_matter("---\nrules: [unclosed\n---\nbody")


def test_bodies_do_not_contain_the_rules() -> None:
    for name in ("returns", "refunds", "warranty"):
        meta, body = split_front_matter((POLICIES / f"{name}.md").read_text())
        assert meta["document"] == name
        assert body.lstrip().startswith("# ")
        assert "rules:" not in body and "categories:" not in body


def test_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown category"):
        ReturnRules.model_validate(
            {
                "default_days": 30,
                "classes": [{"name": "x", "days": 10, "categories": ["laptops"]}],
                "no_return_once_opened": [],
            }
        )


def test_a_category_in_two_classes_is_refused() -> None:
    with pytest.raises(ValueError, match="in both"):
        ReturnRules.model_validate(
            {
                "default_days": 30,
                "classes": [
                    {"name": "a", "days": 10, "categories": ["laptop"]},
                    {"name": "b", "days": 20, "categories": ["laptop"]},
                ],
                "no_return_once_opened": [],
            }
        )


def test_missing_document_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyRulesError):
        load_store_rules(tmp_path)


def test_store_rules_cover_the_brief() -> None:
    rules = load_store_rules(POLICIES)
    windows = {c: rules.returns.window_for(c).days for c in CATEGORIES}
    assert windows["laptop"] == windows["desktop"] == windows["tablet"] == 30
    assert windows["monitor"] == windows["printer"] == 30
    assert windows["cable"] == windows["mouse"] == 60
    assert windows["phone"] == 14
    assert windows["other"] == rules.returns.default_days == 30
    for consumable in ("toner", "ink", "paper", "labels"):
        assert rules.returns.excluded_once_opened(consumable)
    assert not rules.returns.excluded_once_opened("laptop")
    assert rules.warranty.warranty_for("laptop").months == 24
    assert rules.refunds.business_days == 5


def _table(body: str) -> dict[str, str]:
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", body, re.M)
    return {name.lower(): value for name, value in rows}


def test_the_prose_states_the_same_numbers_as_the_rules() -> None:
    rules = load_store_rules(POLICIES)
    _, returns_body = split_front_matter((POLICIES / "returns.md").read_text())
    table = _table(returns_body)
    for group in rules.returns.classes:
        assert table[group.name.lower()] == f"{group.days} days"
    assert table[rules.returns.default_name] == f"{rules.returns.default_days} days"
    _, warranty_body = split_front_matter((POLICIES / "warranty.md").read_text())
    warranty = " ".join(f"{k} {v}" for k, v in _table(warranty_body).items())
    for wgroup in rules.warranty.classes:
        assert f"{wgroup.name.lower()}" in warranty and f"{wgroup.months} months" in warranty
    _, refunds_body = split_front_matter((POLICIES / "refunds.md").read_text())
    refunds_body = " ".join(refunds_body.split())  # the prose wraps lines
    assert f"within {rules.refunds.business_days} business days" in refunds_body
    assert rules.refunds.method in refunds_body
