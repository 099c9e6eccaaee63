"""Named SpectralNet configurations.

``"paper"`` is Table 2 of the study's source paper exactly: embedding dimension
10, Adam with learning rate 0.001, batch size 64, 50 epochs, k = 10 neighbours,
kernel scale σ = 1.0, dropout 0.5, trained the original way (a kNN graph inside
each batch, alternating orthonormalisation and gradient steps) on raw pixels.
``"default"`` is the estimator's own defaults, the best configuration measured
(see benchmarks/bench_spectralnet.py).
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["PRESETS", "preset_params"]

PRESETS = MappingProxyType({
    "paper": MappingProxyType({
        "embedding_dim": 10, "lr": 0.001, "batch_size": 64, "epochs": 50, "k": 10,
        "scale": 1.0, "dropout": 0.5, "graph": "batch", "orthonorm": "alternate",
        "pca_components": None, "hidden": (1024, 1024, 512), "symmetrize": "mean",
    }),
    "default": MappingProxyType({}),
})


def preset_params(name: str) -> dict:
    """Keyword arguments of preset ``name``; an unknown name raises ValueError."""
    if name not in PRESETS:
        valid = ", ".join(PRESETS)
        raise ValueError(f"Unknown SpectralNet preset {name!r}; choose one of {valid}.")
    return dict(PRESETS[name])
