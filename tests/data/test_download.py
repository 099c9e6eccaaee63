"""Downloads: verified, atomic, and a clear error without a network (loopback only)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading

import numpy as np
import pytest

from spectralbench.data import FileSpec, load_dataset
from spectralbench.data.download import download_file
from spectralbench.exceptions import DatasetChecksumError, DatasetNotFoundError


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/served; yields its base URL."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", served
    httpd.shutdown()
    httpd.server_close()


def test_download_from_file_url_verifies_and_places_file(tmp_path):
    source = tmp_path / "src.bin"
    source.write_bytes(b"payload" * 100)
    spec = FileSpec("data.bin", hashlib.sha256(source.read_bytes()).hexdigest(),
                    url=source.as_uri())
    target = download_file(spec, tmp_path / "out")
    assert target.read_bytes() == source.read_bytes()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["data.bin"]


def test_bad_download_leaves_no_file_under_final_name(tmp_path):
    source = tmp_path / "src.bin"
    source.write_bytes(b"not what was published")
    spec = FileSpec("data.bin", "f" * 32, "md5", url=source.as_uri())
    with pytest.raises(DatasetChecksumError, match=r"data\.bin.*published md5.*damaged"):
        download_file(spec, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_load_dataset_downloads_into_cache_then_reuses_it(tmp_path, tiny, clean_env, server):
    base_url, served = server
    info = tiny.write(served, "idx.gz", base_url=base_url)
    bunch = load_dataset(info, "train")
    assert all(f.startswith(str(clean_env / "tiny")) for f in bunch.files)
    np.testing.assert_array_equal(bunch.target, tiny.arrays("train")[1])
    for path in served.iterdir():
        path.unlink()  # the server now has nothing: a second load must use the cache
    again = load_dataset(info, "train")
    np.testing.assert_array_equal(again.data, bunch.data)


def test_unreachable_source_says_where_it_looked_and_what_to_do(tmp_path, tiny, clean_env):
    info = tiny.write(tmp_path / "elsewhere", "idx.gz", base_url="http://127.0.0.1:9/")
    with pytest.raises(DatasetNotFoundError, match=rf"tiny \(test\) was not found \(looked in "
                       rf".*datasets.*{clean_env}.*download from http://127\.0\.0\.1:9/.*failed.*"
                       r"Connect to the internet"):
        load_dataset(info, "test", data_dir=None)
    assert not list((clean_env / "tiny").glob("*.gz"))
