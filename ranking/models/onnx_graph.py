"""The served CTR model as an ONNX graph: the same computation, a fraction of the dispatch cost.

Scoring 100 candidates with the deep model in eager PyTorch costs ~0.6-1.1 ms on the 2-core
machine, most of it Python dispatching ~40 small ops; ONNX Runtime runs the same graph in
~0.2 ms (``python -m benchmarks.rerank`` reports both paths). ``save_artifact`` exports the
model next to its weights (``model.onnx``: the torch.onnx dynamo exporter, opset 18, dynamic
row, vector-table and history axes), and :func:`load_onnx_logits` runs it only after checking it
against the torch model on synthetic batches of several shapes; a graph that disagrees, or
that ONNX Runtime cannot load, is not used and the torch model serves.

Example:
    >>> export_onnx(model, config, Path("model.onnx"))
    >>> logits = load_onnx_logits(Path("model.onnx"), model, config)
    >>> logits(batch)  # float32 logits, one per row
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from ranking.models.batch import ModelConfig, TensorBatch

log = logging.getLogger(__name__)

INPUTS = (
    "numeric",
    "categorical",
    "positions",
    "cosine",
    "vectors",
    "query_index",
    "candidate_index",
    "history_index",
    "history_mask",
)
"""The graph's inputs: the fields of :class:`~ranking.models.batch.TensorBatch`, in order."""
OPSET = 18
TOLERANCE = 1e-4
"""Largest absolute logit difference from the torch model that the graph may show."""


class _TensorArguments(nn.Module):
    """The model with a TensorBatch's tensors as positional arguments (what export traces)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        return self.model(TensorBatch(*tensors))


def sample_batch(config: ModelConfig, rows: int, width: int, seed: int = 0) -> TensorBatch:
    """A synthetic batch of ``rows`` rows with ``width`` history columns (some padded)."""
    g = torch.Generator().manual_seed(seed)
    table = rows + 3  # query, candidates, two history vectors; the last row is the zero pad
    vectors = torch.randn(table, config.vector_dim, generator=g)
    vectors[-1] = 0.0
    history = torch.randint(0, table - 1, (rows, width), generator=g)
    mask = torch.rand(rows, width, generator=g) < 0.7
    history[~mask] = table - 1
    return TensorBatch(
        numeric=torch.randn(rows, config.numeric_dim, generator=g),
        categorical=torch.stack(
            [torch.randint(0, n, (rows,), generator=g) for n in config.cardinalities], dim=1
        ).reshape(rows, len(config.cardinalities)),
        positions=torch.randint(1, config.max_position + 1, (rows,), generator=g),
        cosine=torch.rand(rows, generator=g),
        vectors=vectors,
        query_index=torch.zeros(rows, dtype=torch.int64),
        candidate_index=torch.arange(1, rows + 1, dtype=torch.int64),
        history_index=history,
        history_mask=mask,
    )


def export_onnx(model: nn.Module, config: ModelConfig, target: Path) -> None:
    """Write ``model`` (in eval mode) as an ONNX graph to ``target``.

    Raises:
        Exception: Whatever the exporter raises (callers treat the graph as optional).
    """
    rows, table = torch.export.Dim("rows"), torch.export.Dim("table")
    width = torch.export.Dim("width")
    per_input = [{0: rows}] * 4 + [{0: table}] + [{0: rows}] * 2 + [{0: rows, 1: width}] * 2
    model.eval()
    exporter_log = logging.getLogger("torch.onnx")
    level = exporter_log.level
    exporter_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _TensorArguments(model),
                args=astuple_tensors(sample_batch(config, rows=4, width=3)),
                f=str(target),
                input_names=list(INPUTS),
                output_names=["logit"],
                dynamic_shapes=(tuple(per_input),),
                opset_version=OPSET,
                dynamo=True,
                external_data=False,
                verbose=False,
            )
    finally:
        exporter_log.setLevel(level)


def astuple_tensors(batch: TensorBatch) -> tuple[torch.Tensor, ...]:
    """The batch's tensors in :data:`INPUTS` order (not ``dataclasses.astuple``: it copies)."""
    return tuple(getattr(batch, name) for name in INPUTS)


class OnnxLogits:
    """Runs an exported CTR graph on ONNX Runtime (one intra-op thread, as serving uses).

    Example:
        >>> OnnxLogits(Path("model.onnx"))(batch).shape
        (100,)
    """

    def __init__(self, path: Path, threads: int = 1) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._names = [i.name for i in self._session.get_inputs()]
        if self._names != list(INPUTS):
            raise ValueError(f"unexpected graph inputs {self._names}")

    def __call__(self, batch: TensorBatch) -> npt.NDArray[np.float32]:
        feed = {name: getattr(batch, name).numpy() for name in INPUTS}
        (logits,) = self._session.run(["logit"], feed)
        return np.asarray(logits, dtype=np.float32).reshape(len(batch))


def load_onnx_logits(path: Path, model: nn.Module, config: ModelConfig) -> OnnxLogits | None:
    """The graph at ``path`` if it loads and agrees with ``model`` on batches of several shapes
    (one row, one history column, none); ``None`` (the torch model serves) otherwise."""
    if not path.is_file():
        return None
    try:
        runner = OnnxLogits(path)
        model.eval()
        with torch.inference_mode():
            for rows, width in ((1, 1), (7, 1), (5, 4), (64, 10)):
                batch = sample_batch(config, rows, width, seed=rows)
                expected = model(batch).numpy()
                difference = float(np.max(np.abs(runner(batch) - expected)))
                if not difference <= TOLERANCE:
                    log.warning("ONNX CTR graph %s differs from its weights by %.2g; "
                                "serving with torch", path, difference)  # fmt: skip
                    return None
    except Exception:  # noqa: BLE001 - an unusable graph only costs speed
        log.warning("ONNX CTR graph %s unusable; serving with torch", path, exc_info=True)
        return None
    return runner
