"""A small HTTP load generator for loopback benchmarks: threads, one keep-alive
``http.client`` connection each, latencies measured per request (send → last byte read).

Loopback only: ``host`` must be 127.0.0.1, ::1 or localhost. Every run is bounded in
requests or time, and every socket has a timeout.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass, field

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    bytes: int = 0
    clients: int = 1

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float | None:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000

    def summary(self) -> dict:
        return {
            "clients": self.clients,
            "requests": self.ok,
            "errors": self.errors,
            "error_samples": self.error_samples[:5],
            "seconds": round(self.elapsed, 3),
            "rps": round(self.rps, 1),
            "bytes": self.bytes,
            "p50_ms": _round(self.percentile(50)),
            "p95_ms": _round(self.percentile(95)),
            "p99_ms": _round(self.percentile(99)),
            "max_ms": _round(max(self.latencies) * 1000 if self.latencies else None),
            "mean_ms": _round(statistics.fmean(self.latencies) * 1000 if self.latencies else None),
        }


def _round(value):
    return None if value is None else round(value, 2)


class Client:
    """One keep-alive connection; reconnects after the server closes it or on an error."""

    def __init__(self, host: str, port: int, headers: dict[str, str], timeout: float = 60):
        if host not in LOOPBACK:
            raise ValueError(f"loopback only, not {host}")
        self.host, self.port, self.headers, self.timeout = host, port, headers, timeout
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def get(self, path: str) -> tuple[int, bytes, dict]:
        try:
            self.conn.request("GET", path, headers=self.headers)
            response = self.conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            raise
        if response.will_close:
            self.conn.close()
        return response.status, body, dict(response.getheaders())

    def close(self):
        self.conn.close()


def run(
    host: str,
    port: int,
    path: str,
    *,
    headers: dict[str, str],
    clients: int = 1,
    duration: float | None = None,
    requests: int | None = None,
    timeout: float = 60,
    expect: int = 200,
) -> Result:
    """``clients`` threads GET ``path`` until ``requests`` have been sent or ``duration``
    seconds have passed (whichever comes first; at least one of them must be given)."""
    if duration is None and requests is None:
        raise ValueError("bound the run: give duration or requests")
    result = Result(clients=clients)
    lock = threading.Lock()
    budget = [requests if requests is not None else float("inf")]
    start_gate = threading.Barrier(clients + 1)
    deadline = [0.0]

    def take() -> bool:
        with lock:
            if budget[0] <= 0:
                return False
            budget[0] -= 1
            return True

    def worker():
        client = Client(host, port, headers, timeout)
        latencies, errors, samples, received = [], 0, [], 0
        start_gate.wait()
        try:
            while (duration is None or time.perf_counter() < deadline[0]) and take():
                t0 = time.perf_counter()
                try:
                    status, body, _ = client.get(path)
                except (OSError, http.client.HTTPException) as error:
                    errors += 1
                    samples.append(f"{type(error).__name__}: {error}")
                    continue
                t1 = time.perf_counter()
                if status == expect:
                    latencies.append(t1 - t0)
                    received += len(body)
                else:
                    errors += 1
                    samples.append(f"HTTP {status}")
        finally:
            client.close()
            with lock:
                result.latencies += latencies
                result.errors += errors
                result.error_samples += samples[:3]
                result.bytes += received

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    deadline[0] = t0 + (duration or 0)
    start_gate.wait()
    for t in threads:
        t.join(timeout=(duration or 0) + timeout + 5)
    result.elapsed = time.perf_counter() - t0
    return result


def burst(
    host: str,
    port: int,
    path: str,
    *,
    headers: dict[str, str],
    clients: int = 200,
    timeout: float = 60,
    overall: float = 180,
    expect: int = 200,
) -> Result:
    """``clients`` clients each open a connection and send one GET at the same moment
    (a barrier), then wait for the whole body. Bounded: each socket by ``timeout``, the whole
    burst by ``overall`` seconds (clients still running then count as errors)."""
    result = Result(clients=clients)
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    done = [0]

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            conn.connect()
            ready.wait()
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            t1 = time.perf_counter()
            with lock:
                done[0] += 1
                if response.status == expect:
                    result.latencies.append(t1 - t0)
                    result.bytes += len(body)
                else:
                    result.errors += 1
                    result.error_samples.append(f"HTTP {response.status}")
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as error:
            with lock:
                done[0] += 1
                result.errors += 1
                result.error_samples.append(f"{type(error).__name__}: {error}")
        finally:
            conn.close()

    if host not in LOOPBACK:
        raise ValueError(f"loopback only, not {host}")
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    ready.wait(timeout=30)
    t0 = time.perf_counter()
    end = t0 + overall
    for t in threads:
        t.join(timeout=max(0.0, end - time.perf_counter()))
    result.elapsed = time.perf_counter() - t0
    with lock:
        unfinished = clients - done[0]
        if unfinished:
            result.errors += unfinished
            result.error_samples.append(f"{unfinished} clients unfinished after {overall:.0f} s")
    return result
