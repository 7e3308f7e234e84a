"""The machine-readable store rules, read from the YAML front matter of the policy documents.

Each of ``returns.md``, ``refunds.md`` and ``warranty.md`` in ``data/policies`` starts with a
front-matter block (``---`` ... ``---``) whose ``rules`` key holds the numbers the prose below it
states. Eligibility is computed from these rules, so a store owner edits one file.

Example:
    >>> rules = load_store_rules(Path("data/policies"))
    >>> rules.returns.window_for("laptop").days
    30
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from retrieval.catalog.categories import CATEGORIES

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_KNOWN = frozenset(CATEGORIES)

Days = Annotated[int, Field(ge=0, le=3650)]
Months = Annotated[int, Field(ge=0, le=240)]


class PolicyRulesError(ValueError):
    """A policy document's front matter is missing, malformed or inconsistent."""


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter of a Markdown document (``{}`` if none) and the body after it.

    Example:
        >>> split_front_matter("---\\ndocument: returns\\n---\\n# Returns\\n")
        ({'document': 'returns'}, '# Returns\\n')
    """
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as e:
        raise PolicyRulesError(f"front matter is not valid YAML: {e}") from e
    if not isinstance(meta, dict):
        raise PolicyRulesError("front matter must be a mapping")
    return meta, text[match.end() :]


class _Rules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CategoryClass(_Rules):
    """A named group of store categories sharing one number (days or months)."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    categories: tuple[str, ...]

    @model_validator(mode="after")
    def _known_categories(self) -> CategoryClass:
        unknown = sorted(set(self.categories) - _KNOWN)
        if unknown:
            raise ValueError(f"unknown category slugs in {self.name!r}: {unknown}")
        return self


class WindowClass(CategoryClass):
    """Categories returnable within ``days`` of delivery."""

    days: Days


class WarrantyClass(CategoryClass):
    """Categories whose defects are covered for ``months`` from delivery."""

    months: Months


def _no_overlap(classes: tuple[CategoryClass, ...]) -> None:
    seen: dict[str, str] = {}
    for group in classes:
        for slug in group.categories:
            if slug in seen:
                raise ValueError(f"category {slug!r} is in both {seen[slug]!r} and {group.name!r}")
            seen[slug] = group.name


class ReturnRules(_Rules):
    """Return windows per category and what cannot be returned once opened."""

    counted_from: Literal["delivery"] = "delivery"
    default_days: Days
    default_name: str = "other items"
    classes: tuple[WindowClass, ...]
    # Categories (consumables, sealed media) that cannot be returned once opened, unless defective.
    no_return_once_opened: tuple[str, ...]

    @model_validator(mode="after")
    def _consistent(self) -> ReturnRules:
        _no_overlap(self.classes)
        unknown = sorted(set(self.no_return_once_opened) - _KNOWN)
        if unknown:
            raise ValueError(f"unknown category slugs in no_return_once_opened: {unknown}")
        return self

    def window_for(self, category: str) -> WindowClass:
        """The window class of ``category`` (the default one when no class names it)."""
        for group in self.classes:
            if category in group.categories:
                return group
        return WindowClass(name=self.default_name, categories=(), days=self.default_days)

    def excluded_once_opened(self, category: str) -> bool:
        return category in self.no_return_once_opened


class WarrantyRules(_Rules):
    """Warranty length per category, counted from delivery."""

    default_months: Months
    default_name: str = "other items"
    classes: tuple[WarrantyClass, ...]

    @model_validator(mode="after")
    def _consistent(self) -> WarrantyRules:
        _no_overlap(self.classes)
        return self

    def warranty_for(self, category: str) -> WarrantyClass:
        for group in self.classes:
            if category in group.categories:
                return group
        return WarrantyClass(name=self.default_name, categories=(), months=self.default_months)


class RefundRules(_Rules):
    """When and how approved returns are refunded."""

    business_days: Annotated[int, Field(ge=1, le=60)]
    method: Annotated[str, Field(min_length=1, max_length=200)]


class StoreRules(_Rules):
    """All rules eligibility and refund answers are computed from."""

    returns: ReturnRules
    warranty: WarrantyRules
    refunds: RefundRules


_DOCUMENTS = {"returns": ReturnRules, "warranty": WarrantyRules, "refunds": RefundRules}


def _rules_of(path: Path) -> dict[str, Any]:
    try:
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise PolicyRulesError(f"cannot read {path}: {e}") from e
    rules = meta.get("rules")
    if not isinstance(rules, dict):
        raise PolicyRulesError(f"{path.name}: front matter has no 'rules' mapping")
    return rules


def load_store_rules(policies_dir: Path) -> StoreRules:
    """Read the rules from ``returns.md``, ``warranty.md`` and ``refunds.md`` in ``policies_dir``.

    Raises:
        PolicyRulesError: a document is missing or its rules do not validate.
    """
    raw = {name: _rules_of(policies_dir / f"{name}.md") for name in _DOCUMENTS}
    try:
        return StoreRules.model_validate(raw)
    except ValidationError as e:
        raise PolicyRulesError(f"invalid policy rules in {policies_dir}: {e}") from e
