"""Offline relevance evaluation: graded judgments, metrics, a runner over retrievers, reports.

Modules: ``metrics`` (nDCG, recall, MRR, judged fraction), ``trec`` (TREC-style TSV files),
``runner`` (one :class:`~retrieval.evaluation.runner.Retriever` per system, scored per query),
``report`` (JSON report, PNG chart, text table), ``systems`` (the systems the CLI compares),
``pooling`` (candidate pooling used to build the judged query set).
"""
