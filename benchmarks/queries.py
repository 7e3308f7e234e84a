"""Varied, reproducible shopper conversations for the latency benchmark."""

from __future__ import annotations

import random

OPENERS = [
    "a thin and light laptop under $800",
    "gaming laptop with 16GB RAM",
    "27 inch monitor for office work",
    "cheap 4K monitor",
    "10 ft HDMI cable",
    "usb-c to usb-a cord",
    "black toner for HP LaserJet",
    "Brother ink cartridges",
    "wireless mouse, not Logitech",
    "ergonomic keyboard",
    "laser printer for a small office",
    "projector for presentations around $500",
    "noise cancelling headset",
    "laptop bag for 15.6 inch notebooks",
    "16GB DDR4 memory",
    "external hard drive 2TB",
    "replacement laptop battery for Dell",
    "power adapter for a Lenovo notebook",
    "webcam for video calls",
    "cat6 network cable 5 m",
    "something to print photos at home",
    "a gift for my dad who travels",
    "labels for a DYMO printer",
    "hello",
]
FOLLOW_UPS = [
    "under $300",
    "only HP",
    "not Samsung",
    "cheaper",
    "show more",
    "in black",
    "between 100 and 400",
    "over $50",
    "thanks",
]


def conversations(n_messages: int, seed: int) -> list[list[str]]:
    """Conversations of 1-3 turns whose messages add up to ``n_messages``."""
    rng = random.Random(seed)
    result: list[list[str]] = []
    remaining = n_messages
    while remaining > 0:
        length = min(remaining, rng.choice((1, 2, 3)))
        turns = [rng.choice(OPENERS)] + rng.sample(FOLLOW_UPS, length - 1)
        result.append(turns)
        remaining -= length
    return result
