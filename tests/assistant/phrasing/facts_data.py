"""Facts of one turn shared by the phrasing tests: two shown laptops and a returns passage."""

from __future__ import annotations

from decimal import Decimal

from assistant.phrasing.types import PhrasingInput, PolicyFact, ProductFact
from retrieval.filters import SearchFilters

HP = ProductFact(
    position=1,
    id="1",
    title='HP ProBook 4320s Notebook PC Black 33.8 cm (13.3") Intel Core i3 3 GB',
    brand="HP",
    category="laptop",
    price=Decimal("649.00"),
    attributes={"Screen size": '13.3"', "Memory (RAM)": "3 GB", "Storage": "320 GB"},
    reason="Laptop; $649.00 is within your $800.00 budget",
)
LENOVO = ProductFact(
    position=2,
    id="2",
    title='Lenovo IdeaPad S340 Notebook Gray 35.6 cm (14") 8 GB',
    brand="Lenovo",
    category="laptop",
    price=Decimal("496.95"),
    attributes={"Screen size": '14"', "Memory (RAM)": "8 GB"},
)
RETURNS = PolicyFact(
    document="returns",
    section="Return window",
    text="Laptops can be returned within 30 days of delivery. Opened items carry a 15% "
    "restocking fee.",
)
TEMPLATE = (
    "Here are 2 laptops under $800.00. The closest match is HP ProBook 4320s Notebook PC Black "
    '33.8 cm (13.3") Intel Core i3 3 GB at $649.00.'
)
FACTS = PhrasingInput(
    intent="search",
    filters=SearchFilters(category="laptop", price_max=Decimal("800")),
    products=[HP, LENOVO],
    template_reply=TEMPLATE,
)
POLICY_FACTS = PhrasingInput(
    intent="return_policy",
    policies=[RETURNS],
    template_reply="Laptops can be returned within 30 days of delivery (returns, Return window).",
)
BRANDS = ["HP", "Lenovo", "Dell", "Apple", "Trust", "StarTech.com"]
FAITHFUL = (
    'I found 2 laptops under $800.00. The best match is the HP ProBook 4320s with a 13.3" '
    "screen and 3 GB of RAM for $649.00, and the Lenovo IdeaPad S340 with 8 GB costs $496.95."
)
