"""Real `kb serve` processes on 127.0.0.1 for the tests: started, waited for, always stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service:
    def __init__(
        self, root: Path, workers: int = 1, env: dict[str, str] | None = None, expect_ready: bool = True, port: int = 0
    ):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = root / f"serve-{self.port}.log"
        command = [sys.executable, "-m", "kb_tools", "serve", "--root", str(root), "--port", str(self.port)]
        command += ["--workers", str(workers)]
        environment = {**os.environ, **(env or {})}
        self.process = subprocess.Popen(command, stdout=self.log.open("w"), stderr=subprocess.STDOUT, env=environment)
        self.wait(expect_ready)

    def wait(self, expect_ready: bool) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                status = httpx.get(f"{self.url}/api/health", timeout=2).status_code
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            if status == 200 or not expect_ready:
                return
            time.sleep(0.1)
        raise AssertionError(f"kb serve did not start: {self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
