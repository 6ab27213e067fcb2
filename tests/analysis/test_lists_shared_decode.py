"""Keyword-list detection takes the response body the scan decompressed already (issue 17):
``find_lists(..., decompressed=...)`` finds what it finds decompressing the body itself."""

from __future__ import annotations

import gzip
import json
import zlib

import brotli
import pytest
import zstandard

from harness.analysis.lists import find_lists
from harness.analysis.scan import _decode_response
from harness.capture.records import FlowRecord

TERMS = [f"word{i}" for i in range(30)] + ["falun", "tibet", "tiananmen"]
DOC = json.dumps({"version": 3, "blacklist": TERMS}).encode()
PACK = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress,
        "zstd": zstandard.ZstdCompressor().compress}


@pytest.mark.parametrize("declared", ["gzip", "x-gzip", "deflate", "br", "zstd", None, "identity"])
@pytest.mark.parametrize("packed_as", ["gzip", "br", "zstd", "deflate"])
@pytest.mark.parametrize("limit", [1 << 23, 64])
def test_shared_decode_finds_the_same(declared: str | None, packed_as: str, limit: int) -> None:
    body = PACK[packed_as](DOC)
    headers = [("content-encoding", declared)] if declared else []
    rec = FlowRecord(id="f", kind="http", started_at=0.0, ended_at=0.0, url="https://a.example/cfg",
                     status_code=200, response_headers=headers, response_body=body)
    _, _, whole_output = _decode_response(rec, limit)
    alone = find_lists(body, url=rec.url, content_encoding=declared)
    shared = find_lists(body, url=rec.url, content_encoding=declared, decompressed=whole_output)
    assert shared == alone
    if declared in (packed_as, "x-gzip" if packed_as == "gzip" else packed_as) and limit > len(DOC):
        assert whole_output is not None and alone  # the shared path was taken and found the list
