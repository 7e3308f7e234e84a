"""Intent understanding: the label set, the classifier interface and its trained implementation."""
