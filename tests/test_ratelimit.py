"""One rate limit for every replica: the `limits` library on a real Redis server (loopback, free port)."""
from __future__ import annotations

import pytest

from assistant import ratelimit
from assistant.ratelimit import RateLimiter


@pytest.fixture
def redis(tmp_path):
    from deploy.stack import Stack

    stack = Stack(tmp_path)
    stack.start_redis()
    yield stack
    stack.down()


def test_two_replicas_share_one_allowance_per_client(redis):
    url = f"redis://127.0.0.1:{redis.redis_port}/0"
    replica_a, replica_b = RateLimiter(3, url), RateLimiter(3, url)  # two processes' limiters, one Redis
    assert replica_a.shared and replica_b.shared
    assert [replica_a.check("warga-1"), replica_b.check("warga-1"), replica_a.check("warga-1")] == [0.0] * 3
    assert 0 < replica_b.check("warga-1") <= 60  # the 4th request is refused, whichever replica gets it
    assert replica_b.check("warga-2") == 0.0


def test_redis_down_falls_back_to_a_per_process_limit_then_shares_again(redis, monkeypatch):
    monkeypatch.setattr(ratelimit, "RETRY_SHARED_AFTER_S", 0.2)
    url = f"redis://127.0.0.1:{redis.redis_port}/0"
    limiter = RateLimiter(2, url)
    assert limiter.check("warga") == 0.0
    redis.procs["redis"].kill()
    # No exception and no free pass: the process keeps limiting on its own.
    assert [limiter.check("warga"), limiter.check("warga")] == [0.0, 0.0]
    assert limiter.check("warga") > 0 and not limiter.shared
    redis.start_redis()  # same port; the fresh Redis has an empty window
    import time

    time.sleep(0.3)
    assert limiter.shared
    assert limiter.check("warga-baru") == 0.0
