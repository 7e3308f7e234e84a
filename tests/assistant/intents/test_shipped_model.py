"""The shipped model on phrasings it never saw (checked below not to be in the training data)."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.intents.base import INTENT_LABELS, IntentContext
from assistant.intents.classifier import SHIPPED_MODEL_DIR, TrainedIntentClassifier
from assistant.intents.data import DEFAULT_DATA_DIR, load_training_set

# (message, products on screen?, previous intent, expected label)
UNSEEN: list[tuple[str, bool, str | None, str]] = [
    ("do you have any 32 inch monitors from LG", False, None, "search"),
    ("I'm hunting for a cheap printer that can also scan documents", False, None, "search"),
    ("need 3 usb-c cables for the office, 1m each", False, None, "search"),
    ("could you show me cheaper alternatives", True, "search", "refine"),
    ("only the ones made by Canon", True, "search", "refine"),
    ("nothing above 400 bucks please", True, "search", "refine"),
    ("how do the first and the second differ", True, "search", "compare"),
    ("which of those two has the better screen", True, "search", "compare"),
    ("does the third laptop have a fingerprint reader", True, "search", "product_question"),
    ("is the second monitor curved?", True, "search", "product_question"),
    ("what's your policy on returning opened items", False, None, "return_policy"),
    ("I'd like to send my headset back and get my money", False, None, "return_request"),
    ("where is my package, it's been ten days", False, None, "order_status"),
    ("please cancel the order I placed this morning", False, None, "cancel_order"),
    ("let me talk to a real human being", False, None, "human_agent"),
    ("can I pay by bank transfer", False, None, "faq"),
    ("hello there, good evening", False, None, "greeting"),
    ("thanks a million, bye", True, "search", "greeting"),
    ("what's the capital of peru", False, None, "other"),
    ("我想退掉昨天买的键盘", False, None, "return_request"),
    ("我的包裹什么时候能送到", False, None, "order_status"),
    ("有没有便宜的无线鼠标", False, None, "search"),
]


@pytest.fixture(scope="module")
def shipped() -> TrainedIntentClassifier:
    return TrainedIntentClassifier.load(SHIPPED_MODEL_DIR)


@pytest.mark.unit
def test_the_settings_point_at_the_shipped_model_and_it_loads(shipped):
    assert Settings().intent_model_path == SHIPPED_MODEL_DIR
    assert shipped.labels == INTENT_LABELS
    assert 0 < shipped.temperature < 10


@pytest.mark.unit
def test_probe_phrasings_are_not_training_data():
    seen = {" ".join(r.text.lower().split()) for r in load_training_set(DEFAULT_DATA_DIR)}
    assert not [text for text, *_ in UNSEEN if " ".join(text.lower().split()) in seen]


@pytest.mark.integration
def test_shipped_model_labels_unseen_phrasings_sensibly(shipped, embedder):
    vectors = embedder.embed([text for text, *_ in UNSEEN])
    wrong = []
    for (text, has_results, previous, expected), vector in zip(UNSEEN, vectors, strict=True):
        context = IntentContext(has_results=has_results, previous_intent=previous)  # type: ignore[arg-type]
        prediction = shipped.predict(text, vector, context)
        if prediction.label != expected:
            wrong.append((text, expected, prediction.label, round(prediction.confidence, 2)))
    # Cross-validated accuracy on the store's own utterances is ~85%, so a miss or two among
    # these fresh phrasings is expected; more than two means the model got worse.
    assert len(wrong) <= 2, wrong


@pytest.mark.integration
def test_previous_intent_moves_a_bare_follow_up(shipped, embedder):
    # Written follow-up rows teach that "and the third one?" continues the previous intent.
    vector = embedder.embed(["and the third one?"])[0]

    def after(previous: str) -> dict[str, float]:
        context = IntentContext(has_results=True, previous_intent=previous)  # type: ignore[arg-type]
        return shipped.predict("and the third one?", vector, context).scores

    assert after("compare")["compare"] > after("product_question")["compare"]
    assert after("product_question")["product_question"] > after("compare")["product_question"]


@pytest.mark.unit
def test_the_default_threshold_is_the_one_the_report_chose():
    import json

    from assistant.config import REPO_ROOT

    report = json.loads((REPO_ROOT / "reports" / "intents" / "report.json").read_text())
    assert Settings().intent_min_confidence == report["calibration"]["chosen_threshold"]
    assert report["stratified"]["folds"] == report["grouped"]["folds"] == 5
