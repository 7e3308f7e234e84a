"""Customer service: store policies, orders, returns, human handoff."""
