"""The registry of bundled datasets: class names, files, checksums, licences.

Datasets are data, not code: each one is a :class:`DatasetInfo` record listing,
for each split, the file layouts it can be read from (the repository's bundled
``.npz`` first, then the official distribution formats) with their checksums
and, where published, the official download address.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._validation import closest_match

__all__ = [
    "DATASETS",
    "SPLITS",
    "DatasetInfo",
    "FileSpec",
    "SplitSource",
    "available_datasets",
    "get_dataset_info",
]

SPLITS = ("train", "test")


@dataclass(frozen=True)
class FileSpec:
    """One file on disk: its name, checksum and, if downloadable, its address.

    Parameters
    ----------
    filename : str
        Base name of the file, e.g. ``"t10k-images-idx3-ubyte.gz"``.
    digest : str
        Hex digest the file must have.
    algorithm : str, default="sha256"
        hashlib algorithm of ``digest``. Official archives publish md5, so their
        records use ``"md5"``; every other file uses sha256.
    url : str or None, default=None
        Official download address, or None when the file is not downloadable.
    """

    filename: str
    digest: str
    algorithm: str = "sha256"
    url: str | None = None


@dataclass(frozen=True)
class SplitSource:
    """One way to read a split: a file layout and the reader that parses it.

    Parameters
    ----------
    kind : {"bundled", "npz", "idx"}
        ``"bundled"``: one ``numpy.savez_compressed`` file with keys ``x``
        (uint8 (N, 28, 28)) and ``y`` (uint8 (N,)). ``"npz"``: two official
        KMNIST files holding ``arr_0`` (images, labels). ``"idx"``: two IDX
        files (images, labels), gzipped or raw.
    files : tuple of FileSpec
        One file for ``"bundled"``, (images, labels) otherwise.
    """

    kind: str
    files: tuple[FileSpec, ...]

    @property
    def downloadable(self) -> bool:
        """True when every file of this layout has an official address."""
        return all(spec.url is not None for spec in self.files)


@dataclass(frozen=True)
class DatasetInfo:
    """A dataset's facts: classes, sizes, licence and where its files come from.

    Parameters
    ----------
    name : str
        Registry key, e.g. ``"fashion_mnist"``.
    title : str
        Human-readable name.
    class_names : tuple of str
        Name of class ``i`` at position ``i``.
    n_samples : dict of str to int
        Rows per split, e.g. ``{"train": 60000, "test": 10000}``.
    image_shape : tuple of int
        Shape of one image, ``(28, 28)``.
    sources : dict of str to tuple of SplitSource
        Per split, the layouts to look for, in order of preference.
    licence : str
        Licence of the data (the code's licence does not apply).
    citation : str
        What to cite when using the data.
    homepage : str
        Official page of the dataset.
    torchvision_folder : str or None, default=None
        Folder name torchvision uses (``<root>/<folder>/raw``), also searched.
    """

    name: str
    title: str
    class_names: tuple[str, ...]
    n_samples: dict[str, int]
    image_shape: tuple[int, int]
    sources: dict[str, tuple[SplitSource, ...]]
    licence: str
    citation: str
    homepage: str
    torchvision_folder: str | None = None

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.class_names)

    @property
    def n_features(self) -> int:
        """Pixels per flattened image (784 for 28x28)."""
        return self.image_shape[0] * self.image_shape[1]

    def describe(self) -> str:
        """A fact table (classes, rows, dimensionality, licence) as plain text."""
        rows = ", ".join(f"{split} {n:,}" for split, n in self.n_samples.items())
        return (
            f"{self.title}\n"
            f"  classes            {self.n_classes}: {', '.join(self.class_names)}\n"
            f"  samples            {sum(self.n_samples.values()):,} ({rows})\n"
            f"  dimensionality     {self.n_features} ({self.image_shape[0]}x"
            f"{self.image_shape[1]} grey levels, scaled to [0, 1])\n"
            f"  licence            {self.licence}\n"
            f"  cite               {self.citation}\n"
            f"  homepage           {self.homepage}"
        )


_FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_KMNIST_URL = "http://codh.rois.ac.jp/kmnist/dataset/kmnist/"


def _idx_sources(
    split: str, gz_md5: tuple[str, str], raw_sha256: tuple[str, str], base_url: str | None
) -> tuple[SplitSource, SplitSource]:
    """The official IDX layouts of one split: gzipped (md5) and raw (sha256)."""
    prefix = "train" if split == "train" else "t10k"
    names = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
    gz = tuple(
        FileSpec(f"{n}.gz", md5, "md5", None if base_url is None else f"{base_url}{n}.gz")
        for n, md5 in zip(names, gz_md5, strict=True)
    )
    raw = tuple(FileSpec(n, sha) for n, sha in zip(names, raw_sha256, strict=True))
    return SplitSource("idx", gz), SplitSource("idx", raw)


def _fashion_mnist() -> DatasetInfo:
    # gz md5: published by Zalando Research; raw sha256: the IDX bytes of the
    # official pixel data (header + array), computed from the verified files.
    train_idx = _idx_sources(
        "train",
        ("8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe"),
        ("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
         "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        _FASHION_URL,
    )
    test_idx = _idx_sources(
        "test",
        ("bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"),
        ("5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
         "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        _FASHION_URL,
    )
    return DatasetInfo(
        name="fashion_mnist",
        title="Fashion-MNIST (Zalando Research)",
        class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        n_samples={"train": 60000, "test": 10000},
        image_shape=(28, 28),
        sources={
            "train": (SplitSource("bundled", (FileSpec(
                "fashion_mnist_train.npz",
                "9725b333e9dbe63949ddd0043ccb9851b5323646e1caca9e748ec32084cf51b7"),)),
                *train_idx),
            "test": (SplitSource("bundled", (FileSpec(
                "fashion_mnist_test.npz",
                "ec9ede82a528b9cfb046f2c8d7afa7c61caa467fe40c1b548e786c23c247b6ba"),)),
                *test_idx),
        },
        licence="MIT (Copyright (c) 2017 Zalando SE)",
        citation="Xiao, Rasul and Vollgraf, Fashion-MNIST: a Novel Image Dataset for "
                 "Benchmarking Machine Learning Algorithms, arXiv:1708.07747 (2017)",
        homepage="https://github.com/zalandoresearch/fashion-mnist",
        torchvision_folder="FashionMNIST",
    )


def _kmnist_npz(split: str, md5: tuple[str, str]) -> SplitSource:
    names = (f"kmnist-{split}-imgs.npz", f"kmnist-{split}-labels.npz")
    return SplitSource("npz", tuple(
        FileSpec(n, digest, "md5", f"{_KMNIST_URL}{n}")
        for n, digest in zip(names, md5, strict=True)
    ))


def _kmnist() -> DatasetInfo:
    # npz and gz md5: published by ROIS-DS CODH (the February 2019 release);
    # raw sha256: the IDX bytes of that release's pixel data.
    train_idx = _idx_sources(
        "train",
        ("bdb82020997e1d708af4cf47b453dcf7", "e144d726b3acfaa3e44228e80efcd344"),
        ("7112ba9ec422d98de4885262d4a4dff14cc4fefb81c11ace8bf563a8255df5c3",
         "2a16eeae62da984b8bd24fa32e31d47291f01dac3fe84d5594f304f71e7d374b"),
        None,
    )
    test_idx = _idx_sources(
        "test",
        ("5c965bf0a639b31b8f53240b1b52f4d7", "7320c461ea6c1c855c0b718fb2a4b134"),
        ("76fbd229ce87db80dd281af5e6670de4ad0e42fb30a7bd643972994c47c1f42e",
         "a11dc742be8e781a40a92f53d6a4957e7b7d36df2faa097659131ebfd8fd60c6"),
        None,
    )
    return DatasetInfo(
        name="kmnist",
        title="Kuzushiji-MNIST (ROIS-DS CODH)",
        class_names=("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
        n_samples={"train": 60000, "test": 10000},
        image_shape=(28, 28),
        sources={
            "train": (SplitSource("bundled", (FileSpec(
                "kmnist_train.npz",
                "452dc42f744e072a28ff86d8d1dbf23780d5f480045cd12776dfb4e2b9003fad"),)),
                _kmnist_npz("train", ("a183fbc01ed9a345513b145673d3d0bb",
                                      "b0e1d240e8afec72b50437fc3bc5908a")),
                *train_idx),
            "test": (SplitSource("bundled", (FileSpec(
                "kmnist_test.npz",
                "ba719eb25a3df280f6c56940bdc2279de9d688e18a174b1ca1475225e1938946"),)),
                _kmnist_npz("test", ("dace6de62ca8b90843cc45366337d02e",
                                     "3ae489a79983d0fe386152684e3b5412")),
                *test_idx),
        },
        licence="CC BY-SA 4.0 (KMNIST Dataset, created by CODH, adapted from the "
                "Kuzushiji Dataset, created by NIJL and others, doi:10.20676/00000341)",
        citation="Clanuwat, Bober-Irizar, Kitamoto, Lamb, Yamamoto and Ha, Deep Learning "
                 "for Classical Japanese Literature, arXiv:1812.01718 (2018)",
        homepage="https://github.com/rois-codh/kmnist",
        torchvision_folder="KMNIST",
    )


DATASETS: dict[str, DatasetInfo] = {info.name: info for info in (_fashion_mnist(), _kmnist())}


def available_datasets() -> list[str]:
    """Names of the registered datasets, sorted.

    Returns
    -------
    list of str
        E.g. ``["fashion_mnist", "kmnist"]``.
    """
    return sorted(DATASETS)


def get_dataset_info(name: str | DatasetInfo) -> DatasetInfo:
    """Look up a dataset's record by name (a record is returned unchanged).

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    if isinstance(name, DatasetInfo):
        return name
    if name not in DATASETS:
        guess = closest_match(str(name), DATASETS)
        hint = f"did you mean {guess!r}? " if guess else ""
        raise ValueError(
            f"unknown dataset {name!r}; {hint}choose one of {', '.join(available_datasets())} "
            "(or load your own file with spectralbench.data.load_user_dataset)."
        )
    return DATASETS[name]
