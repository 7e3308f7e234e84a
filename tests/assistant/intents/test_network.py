"""The torch module and its numpy twin used for serving compute the same function."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from assistant.intents.network import IntentNetwork, NetworkConfig, NumpyIntentNetwork

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("hidden_dim", [0, 16])
def test_numpy_forward_matches_torch(hidden_dim):
    torch.manual_seed(0)
    net = IntentNetwork(NetworkConfig(input_dim=50, n_labels=12, hidden_dim=hidden_dim)).eval()
    x = np.random.default_rng(0).standard_normal((7, 50)).astype(np.float32) * 3
    with torch.inference_mode():
        expected = net(torch.from_numpy(x)).numpy()
    assert np.allclose(NumpyIntentNetwork(net)(x), expected, atol=1e-5)


def test_network_config_is_validated():
    with pytest.raises(ValueError):
        NetworkConfig(input_dim=0, n_labels=12)
    with pytest.raises(ValueError):
        NetworkConfig(input_dim=10, n_labels=12, dropout=1.0)
