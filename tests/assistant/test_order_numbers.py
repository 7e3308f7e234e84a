import pytest

from assistant.order_numbers import extract_order_number

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("where is my order #10234?", "10234"),
        ("order 10234 hasn't arrived", "10234"),
        ("How can I cancel purchase 113542617735902?", "113542617735902"),
        ("order number: ORD-123456", "ORD-123456"),
        ("I want to return 00123842", "00123842"),
        ("track #55512 please", "55512"),
        ("我的订单号是 20231234 还没到", "20231234"),
    ],
)
def test_order_numbers(text: str, number: str) -> None:
    assert extract_order_number(text)[0] == number


@pytest.mark.parametrize(
    "text",
    [
        "hdmi cable 0884962565131",  # an EAN in a product search
        "laptop under $1,000,000",
        "order 12",
        "an order of 3 cables",
        "compare 1 and 3",
    ],
)
def test_not_order_numbers(text: str) -> None:
    assert extract_order_number(text) == (None, None)
