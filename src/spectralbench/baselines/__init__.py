"""Every method SpectralNet is compared with, behind one small interface.

Each baseline has ``fit_predict(X)`` and ``predict(X)`` (or documents why it
cannot label unseen points) and records the parameters it ran with in
``params_``. Build them by name with :func:`make`; :func:`available` lists the
names. Optional libraries (MiniSom, openTSNE, umap-learn, spectralnet) are
imported only when a method needs them.
"""

from .base import Clusterer
from .density import DBSCANClustering, HDBSCANClustering
from .kmeans import KMeansClustering, PCAKMeans
from .reference import ReferenceSpectralNet
from .registry import available, make, method_class
from .som import SOMClustering
from .spectral import ClassicalSpectralClustering, spectral_embedding
from .tsne import TSNEKMeans
from .umap_gmm import N2D, UMAPGMM

__all__ = [
    "N2D",
    "UMAPGMM",
    "ClassicalSpectralClustering",
    "Clusterer",
    "DBSCANClustering",
    "HDBSCANClustering",
    "KMeansClustering",
    "PCAKMeans",
    "ReferenceSpectralNet",
    "SOMClustering",
    "TSNEKMeans",
    "available",
    "make",
    "method_class",
    "spectral_embedding",
]
