"""The in-batch loss, the pooling, and a real (tiny) fine-tuning run end to end."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from assistant.config import _default_model_path
from retrieval.embedder import TransformerEmbedder
from retrieval.finetune.pairs import TrainingPair
from retrieval.finetune.train import (
    TRAINING_RECORD,
    EncoderTrainer,
    TrainConfig,
    in_batch_loss,
    mean_pool,
)


@pytest.mark.unit
def test_in_batch_loss_hand_computed() -> None:
    q = torch.eye(2)
    # perfect pairs: cross entropy of [20, 0] with target 0 on both rows
    perfect = float(in_batch_loss(q, q, scale=20.0))
    assert perfect == pytest.approx(np.log1p(np.exp(-20.0)), abs=1e-6)
    # swapped documents: every query prefers the wrong one
    swapped = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    assert float(in_batch_loss(q, swapped, scale=20.0)) == pytest.approx(20.0, abs=1e-5)


@pytest.mark.unit
def test_mean_pool_ignores_padding_and_normalises() -> None:
    hidden = torch.tensor([[[1.0, 0.0], [3.0, 0.0], [100.0, 100.0]]])
    mask = torch.tensor([[1, 1, 0]])
    pooled = mean_pool(hidden, mask)
    assert pooled[0].tolist() == pytest.approx([1.0, 0.0])


@pytest.mark.unit
def test_bad_configuration_fails_fast(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        EncoderTrainer(tmp_path, tmp_path / "out", TrainConfig())
    with pytest.raises(ValueError):
        TrainConfig(batch_size=1)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 2-layer BERT with the real MiniLM tokenizer (fast to train)."""
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-bert")
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128,
    )  # fmt: skip
    BertModel(config).save_pretrained(str(folder))
    source = Path(_default_model_path())
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if (source / name).exists():
            shutil.copy(source / name, folder / name)
    return folder


@pytest.mark.integration
@pytest.mark.slow
def test_training_learns_the_pairs_and_saves_a_loadable_model(
    tiny_model: Path, tmp_path: Path
) -> None:
    # queries share no word with their documents: only training can pair them up
    texts = ["usb hub", "toner cartridge", "laptop bag", "hdmi cable", "wireless mouse", "ups"]
    codes = ["alpha one", "bravo two", "charlie three", "delta four", "echo five", "golf six"]
    pairs = [
        TrainingPair(query=t, document=f"item {c}", product_id=str(i), kind="t")
        for i, (t, c) in enumerate(zip(texts, codes, strict=True))
    ]
    config = TrainConfig(epochs=20, batch_size=6, learning_rate=2e-3, warmup_ratio=0.0, seed=1)
    report = EncoderTrainer(tiny_model, tmp_path / "out", config).train(pairs, pairs)
    assert report.steps == 20
    assert report.loss_last < report.loss_first
    assert report.valid_top1_after > report.valid_top1_before
    assert report.valid_top1_after == 1.0
    record = json.loads((tmp_path / "out" / TRAINING_RECORD).read_text())
    assert record["steps"] == 20
    embedder = TransformerEmbedder(tmp_path / "out")
    vectors = embedder.embed(["usb hub", "item alpha one", "item golf six"])
    assert vectors.shape == (3, 32)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])


@pytest.mark.unit
def test_learning_rate_warms_up_then_decays_by_steps_or_by_the_time_cap() -> None:
    import time

    from retrieval.finetune.train import _lr_factor

    by_steps = _lr_factor(total=10, warmup=2, started=time.perf_counter(), max_seconds=None)
    assert [round(by_steps(s), 2) for s in (0, 1, 2, 6, 10)] == [0.5, 1.0, 1.0, 0.5, 0.0]
    # half the time budget already spent: the decay is at least half-way whatever the step
    half_spent = _lr_factor(total=10, warmup=0, started=time.perf_counter() - 50, max_seconds=100)
    assert half_spent(1) == pytest.approx(0.5, abs=0.01)
    spent = _lr_factor(total=10, warmup=0, started=time.perf_counter() - 200, max_seconds=100)
    assert spent(1) == 0.0
