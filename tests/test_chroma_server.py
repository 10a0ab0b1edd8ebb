"""The same index code against a real Chroma server (CHROMA_HOST/CHROMA_PORT), on loopback."""
from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    chroma = Path(shutil.which("chroma") or Path(__import__("sys").executable).parent / "chroma")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def test_ingest_and_answer_through_a_chroma_server(chroma_server, real_settings, tmp_path):
    from assistant.core import Assistant

    settings = real_settings.with_(chroma_host="127.0.0.1", chroma_port=chroma_server, index_dir=tmp_path / "unused")
    assistant = Assistant.from_settings(settings)
    # Passages plus one entry per article sentence (sentence-level search).
    sentences = assistant.index.count() - len(assistant.retriever.chunks)
    assert len(assistant.retriever.chunks) > 100 and sentences > 100
    assert not (tmp_path / "unused").exists()  # nothing written to the embedded store
    answer = assistant.ask("Apa saja tantangan dalam pelaksanaan kerja sama kota kembar?")
    assert not answer.refused and answer.citations
    again = Assistant.from_settings(settings).ingest()
    assert again.sync.added == 0  # the server kept the index
