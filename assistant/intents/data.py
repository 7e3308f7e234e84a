"""The labelled training utterances: Bitext support rows mapped onto our labels, plus our own.

Two files in ``data/intents/`` (see its ``SOURCE.md``):

* ``bitext_mapped.csv`` — ``instruction,bitext_intent,label``: the Bitext customer-support
  utterances, mapped with :data:`BITEXT_TO_INTENT` (``place_order``, ``change_order`` and
  ``review`` are left out), exact duplicates dropped;
* ``shopping.jsonl`` — ``{"text", "label", "has_results", "previous_intent"}``: utterances
  written for this store (English and Chinese), with the dialogue context they were written for.

Example:
    >>> rows = load_training_set(DEFAULT_DATA_DIR)
    >>> sorted({r.label for r in rows}) == sorted(INTENT_LABELS)
    True
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.config import REPO_ROOT
from assistant.intents.base import INTENT_LABELS, IntentContext, IntentLabel
from assistant.intents.errors import IntentDataError

DEFAULT_DATA_DIR = REPO_ROOT / "data" / "intents"
BITEXT_FILE = "bitext_mapped.csv"
STORE_FILE = "shopping.jsonl"

BITEXT_TO_INTENT: dict[str, IntentLabel] = {
    "check_refund_policy": "return_policy",
    "get_refund": "return_request",
    "track_refund": "return_request",
    "track_order": "order_status",
    "delivery_period": "order_status",
    "cancel_order": "cancel_order",
    "contact_human_agent": "human_agent",
    "contact_customer_service": "human_agent",
    "complaint": "human_agent",
    **dict.fromkeys(
        (
            "delivery_options",
            "check_payment_methods",
            "payment_issue",
            "check_invoice",
            "get_invoice",
            "create_account",
            "edit_account",
            "delete_account",
            "switch_account",
            "recover_password",
            "registration_problems",
            "newsletter_subscription",
            "set_up_shipping_address",
            "change_shipping_address",
            "check_cancellation_fee",
        ),
        "faq",
    ),
}
BITEXT_LEFT_OUT: frozenset[str] = frozenset({"place_order", "change_order", "review"})

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class LabelledUtterance(BaseModel):
    """One training example: the shopper's words, our label and the context it was said in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: Annotated[str, Field(min_length=1, max_length=2000)]
    label: IntentLabel
    source: Literal["bitext", "store"]
    has_results: bool = False
    previous_intent: IntentLabel | None = None
    bitext_intent: str | None = None

    @property
    def context(self) -> IntentContext:
        return IntentContext(has_results=self.has_results, previous_intent=self.previous_intent)

    @property
    def is_chinese(self) -> bool:
        return is_chinese(self.text)


def is_chinese(text: str) -> bool:
    """Whether ``text`` contains CJK ideographs (our Chinese utterances)."""
    return _CJK.search(text) is not None


def map_bitext(source_csv: Path) -> list[tuple[str, str, IntentLabel]]:
    """Map the raw Bitext CSV onto ``(instruction, bitext_intent, label)``, deduplicated."""
    seen: set[str] = set()
    rows: list[tuple[str, str, IntentLabel]] = []
    with source_csv.open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            text, intent = record["instruction"].strip(), record["intent"].strip()
            if intent in BITEXT_LEFT_OUT:
                continue
            if intent not in BITEXT_TO_INTENT:
                raise IntentDataError(f"Bitext intent {intent!r} has no mapping")
            key = " ".join(text.lower().split())
            if text and key not in seen:
                seen.add(key)
                rows.append((text, intent, BITEXT_TO_INTENT[intent]))
    return rows


def write_bitext_csv(rows: Iterable[tuple[str, str, str]], target: Path) -> int:
    """Write mapped Bitext rows to ``target``; returns how many were written."""
    count = 0
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["instruction", "bitext_intent", "label"])
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def load_bitext(path: Path) -> list[LabelledUtterance]:
    """Read ``bitext_mapped.csv``; the label must agree with :data:`BITEXT_TO_INTENT`."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            records = list(csv.DictReader(handle))
    except OSError as e:
        raise IntentDataError(f"cannot read {path}: {e}") from e
    rows = []
    for line, record in enumerate(records, start=2):
        expected = BITEXT_TO_INTENT.get(record.get("bitext_intent", ""))
        if expected is None or record.get("label") != expected:
            raise IntentDataError(f"{path}:{line}: label does not follow the Bitext mapping")
        rows.append(_utterance(path, line, record["instruction"], expected, "bitext", record))
    return rows


def load_store_utterances(path: Path) -> list[LabelledUtterance]:
    """Read ``shopping.jsonl`` (one JSON object per line)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise IntentDataError(f"cannot read {path}: {e}") from e
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise IntentDataError(f"{path}:{number}: not JSON: {e}") from e
        rows.append(_utterance(path, number, record.pop("text", ""), None, "store", record))
    return rows


def _utterance(
    path: Path,
    line: int,
    text: str,
    label: str | None,
    source: Literal["bitext", "store"],
    record: dict[str, object],
) -> LabelledUtterance:
    fields: dict[str, object] = {"text": text.strip(), "source": source}
    if source == "bitext":
        fields |= {"label": label, "bitext_intent": record["bitext_intent"]}
    else:
        fields |= record
    try:
        return LabelledUtterance.model_validate(fields)
    except ValidationError as e:
        raise IntentDataError(f"{path}:{line}: {e.errors()[0]['msg']}") from e


def load_training_set(data_dir: Path = DEFAULT_DATA_DIR) -> list[LabelledUtterance]:
    """All training utterances: the mapped Bitext rows, then the store's own."""
    rows = load_bitext(data_dir / BITEXT_FILE) + load_store_utterances(data_dir / STORE_FILE)
    missing = set(INTENT_LABELS) - {row.label for row in rows}
    if missing:
        raise IntentDataError(f"no training utterances for {sorted(missing)}")
    return rows


def training_summary(rows: Sequence[LabelledUtterance], data_dir: Path) -> dict[str, int | str]:
    """Row counts and a digest of the data files, saved with a model to say what it saw."""
    digest = hashlib.sha256()
    for name in (BITEXT_FILE, STORE_FILE):
        path = data_dir / name
        digest.update(path.read_bytes() if path.is_file() else b"")
    return {
        "rows": len(rows),
        "bitext_rows": sum(r.source == "bitext" for r in rows),
        "store_rows": sum(r.source == "store" for r in rows),
        "data_sha256": digest.hexdigest(),
    }
