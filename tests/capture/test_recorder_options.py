"""Recorder options are checked in configure() (mitmproxy's test context, no proxy needed)."""

from __future__ import annotations

import asyncio

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons

from harness.capture.recorder import Recorder
from harness.capture.store import RunStore


def _in_loop(fn):
    async def main():
        return fn()
    return asyncio.run(main())


def test_bad_option_values_raise_options_error(tmp_path):
    def check():
        rec = Recorder()
        with taddons.context(rec) as tctx:
            with pytest.raises(exceptions.OptionsError, match="harness_body_cap"):
                tctx.configure(rec, harness_body_cap=-1)
            with pytest.raises(exceptions.OptionsError, match="harness_stream_threshold"):
                tctx.configure(rec, harness_stream_threshold=-5)
            tctx.configure(rec, harness_body_cap=10)
            assert rec.body_cap == 10
    _in_loop(check)


def test_run_dir_option_creates_store_and_refuses_existing(tmp_path):
    def check():
        rec = Recorder()
        with taddons.context(rec) as tctx:
            tctx.configure(rec, harness_run_dir=str(tmp_path / "run"))
            assert rec.store is not None and rec.store.status == "recording"
            rec.done()
        assert RunStore.open(tmp_path / "run").status == "complete"
        rec2 = Recorder()
        with taddons.context(rec2) as tctx:
            with pytest.raises(exceptions.OptionsError, match="already exists"):
                tctx.configure(rec2, harness_run_dir=str(tmp_path / "run"))
    _in_loop(check)


def test_invalid_proxy_option_is_a_capture_error(tmp_path):
    from harness.capture.proxy import ProxyRunner
    from harness.errors import CaptureError

    runner = ProxyRunner(confdir=tmp_path / "ca", options={"no_such_option": 1})
    with pytest.raises(CaptureError, match="no_such_option"):
        runner.start()
    assert not runner.running
    # the process-wide slot is free again
    ok = ProxyRunner(confdir=tmp_path / "ca")
    host, port = ok.start()
    try:
        assert host == "127.0.0.1" and port > 0
    finally:
        ok.stop()
