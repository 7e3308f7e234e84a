"""Our search, policies and encoder through LangChain's interfaces (real store slice, real BERT)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from retrieval.filters import SearchFilters
from retrieval.lc_embeddings import EncoderEmbeddings
from retrieval.lc_products import PlainSearch, ProductRetriever
from tests.assistant.phrasing.test_phraser import Recorder

pytestmark = pytest.mark.integration


def test_product_retriever_returns_documents_with_product_metadata(services: Any) -> None:
    retriever = services.langchain_product_retriever(k=4)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("usb-c cable")
    assert len(docs) == 4
    first = docs[0]
    assert set(first.metadata) >= {"id", "title", "brand", "category", "price", "currency", "score"}
    assert first.metadata["category"] == "cable"
    assert first.metadata["title"] in first.page_content
    product = services.products.get_many([first.metadata["id"]])[first.metadata["id"]]
    assert first.metadata["price"] == float(product.price)
    assert [d.metadata["rank"] for d in docs] == [1, 2, 3, 4]


def test_filters_and_k_pass_through(services: Any) -> None:
    cheap = SearchFilters(category="laptop", price_max=Decimal("300"))
    retriever = services.langchain_product_retriever(k=5, filters=cheap)
    docs = retriever.invoke("notebook")
    assert docs and all(d.metadata["category"] == "laptop" for d in docs)
    assert all(d.metadata["price"] <= 300 for d in docs)
    # Per call: another k and other filters.
    hp = retriever.invoke("notebook", k=2, filters=SearchFilters(category="laptop", brands=["HP"]))
    assert len(hp) == 2 and {d.metadata["brand"] for d in hp} == {"HP"}
    big = retriever.invoke("laptop", filters=SearchFilters(screen_inches_min=17))
    assert big and all("17" in d.metadata["title"] or "43.2" in d.metadata["title"] for d in big)


def test_plain_search_over_the_hybrid_retriever(services: Any) -> None:
    retriever = ProductRetriever(search=PlainSearch(services.retriever), k=3)
    assert [d.metadata["rank"] for d in retriever.invoke("toner cartridge")] == [1, 2, 3]
    with pytest.raises(ValueError):
        PlainSearch(object())


def test_embeddings_are_our_encoder(services: Any) -> None:
    embeddings = services.langchain_embeddings()
    assert isinstance(embeddings, EncoderEmbeddings) and embeddings.dimension == 384
    query = np.array(embeddings.embed_query("a laptop for travelling"))
    docs = np.array(
        embeddings.embed_documents(
            ["Lightweight 13-inch notebook computer", "Black toner cartridge for laser printers"]
        )
    )
    assert query.shape == (384,) and docs.shape == (2, 384)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    laptop, toner = docs @ query
    assert laptop > toner + 0.2
    assert embeddings.embed_documents([]) == []


def test_policy_retriever_cites_document_and_section(services: Any) -> None:
    retriever = services.langchain_policy_retriever(k=2)
    docs = retriever.invoke("how many days do I have to return a laptop?")
    assert len(docs) == 2
    assert docs[0].metadata["document"] == "returns"
    assert "Return window" in docs[0].metadata["section"]
    assert "30 days" in docs[0].page_content
    strict = services.langchain_policy_retriever(k=3, min_score=0.99)
    assert strict.invoke("how many days do I have to return a laptop?") == []


def test_an_lcel_chain_retriever_prompt_fake_model(services: Any) -> None:
    retriever = services.langchain_product_retriever(k=3)

    def as_context(docs: list[Document]) -> str:
        return "\n".join(f"- {d.metadata['title']} ({d.metadata['price']:.2f} USD)" for d in docs)

    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "Recommend one product from the list."),
            ("human", "Products:\n{context}\n\nQuestion: {question}"),
        ]
    )
    recorder = Recorder()
    model = GenericFakeChatModel(messages=iter(["Take the first one."]), callbacks=[recorder])
    chain = (
        {"context": retriever | RunnableLambda(as_context), "question": RunnablePassthrough()}
        | prompt
        | model
        | StrOutputParser()
    )
    assert chain.invoke("a cheap printer") == "Take the first one."
    ((system, human),) = recorder.calls
    expected = retriever.invoke("a cheap printer")
    assert all(d.metadata["title"] in str(human.content) for d in expected)
    assert expected[0].metadata["category"] == "printer"
    assert "Question: a cheap printer" in str(human.content)
