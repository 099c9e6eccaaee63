"""Networks: the fully connected map F: R^d -> R^H ending in the orthonorm layer.

The network optionally starts with a fixed (not trained) linear projection,
e.g. the top principal components of the training data: it is a buffer, saved
with the weights, so ``predict`` on raw rows applies it automatically.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .orthonorm import Orthonorm

__all__ = ["FixedProjection", "SpectralNetwork", "mlp"]


def mlp(
    in_dim: int,
    hidden: Sequence[int],
    out_dim: int,
    *,
    dropout: float = 0.0,
    final_activation: nn.Module | None = None,
) -> nn.Sequential:
    """Fully connected ReLU network in_dim -> hidden... -> out_dim.

    Dropout (probability ``dropout``) follows every hidden ReLU; the output
    layer is linear unless ``final_activation`` is given.
    """
    layers: list[nn.Module] = []
    width = in_dim
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = size
    layers.append(nn.Linear(width, out_dim))
    if final_activation is not None:
        layers.append(final_activation)
    return nn.Sequential(*layers)


class FixedProjection(nn.Module):
    """x -> (x - mean) @ components.T with both kept as buffers (never trained).

    Parameters
    ----------
    mean : Tensor of shape (d,)
    components : Tensor of shape (p, d)
    """

    def __init__(self, mean: torch.Tensor, components: torch.Tensor):
        super().__init__()
        self.register_buffer("mean", mean.float())
        self.register_buffer("components", components.float())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) @ self.components.T


class SpectralNetwork(nn.Module):
    """[projection] -> MLP -> orthonorm: SpectralNet's map from inputs to the embedding.

    Parameters
    ----------
    in_dim : int
        Features of the raw input (d).
    hidden : sequence of int
        Hidden layer widths.
    embedding_dim : int
        Output dimension H.
    dropout : float, default=0.0
    projection : FixedProjection, optional
        Applied first; ``in_dim`` is then the projection's output size.
    """

    def __init__(
        self,
        in_dim: int,
        hidden: Sequence[int],
        embedding_dim: int,
        *,
        dropout: float = 0.0,
        projection: FixedProjection | None = None,
    ):
        super().__init__()
        self.projection = projection if projection is not None else nn.Identity()
        self.body = mlp(in_dim, hidden, embedding_dim, dropout=dropout)
        self.orthonorm = Orthonorm(embedding_dim)

    def raw(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs before the orthonorm layer, shape (m, H)."""
        return self.body(self.projection(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.orthonorm(self.raw(x))
