"""Domain adaptation of the sentence encoder on pairs mined from the catalog.

``phrasings`` turns one product into shopper-like queries, ``pairs`` samples a training set
from a whole catalog, ``train`` fine-tunes a BERT-family encoder with in-batch negatives and
saves a model folder that :class:`retrieval.embedder.TransformerEmbedder` loads.
"""
