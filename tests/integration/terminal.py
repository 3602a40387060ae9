"""A real terminal for commands that need one (pdb, an interactive console): tmux."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Terminal:
    session: str

    def screen(self) -> str:
        done = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.session, "-S", "-200"],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, *keys], check=True)

    def wait_for_text(self, text: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.screen():
            assert time.monotonic() < deadline, f"no {text!r} in {timeout:.0f} s:\n{self.screen()}"
            time.sleep(0.5)


@contextmanager
def terminal(command: str, cwd: Path) -> Iterator[Terminal]:
    """`command` in a new 200x50 tmux session; the session stays 60 s after it exits
    (printing `exited-CODE`) so its last screen can be read."""
    session = Terminal(f"plonedev-test-{uuid.uuid4().hex[:6]}")
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session.session, "-x", "200", "-y", "50",
         "-c", str(cwd), f"{command}; echo exited-$?; sleep 60"],
        check=True,
    )  # fmt: skip
    try:
        yield session
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session.session], check=False)


def debug_adapter_answers(port: int) -> bool:
    """debugpy listens on 127.0.0.1:`port` and answers a Debug Adapter Protocol
    `initialize` request (an IDE's first message) with success."""
    body = json.dumps(
        {"seq": 1, "type": "request", "command": "initialize", "arguments": {"adapterID": "t"}}
    ).encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            stream = connection.makefile("rb")
            while True:  # messages: headers, a blank line, a JSON body of Content-Length
                headers = {}
                while (line := stream.readline().strip()) != b"":
                    name, _, value = line.decode().partition(":")
                    headers[name.lower()] = value.strip()
                if "content-length" not in headers:
                    return False
                message = json.loads(stream.read(int(headers["content-length"])))
                if message.get("type") == "response" and message.get("command") == "initialize":
                    return bool(message.get("success"))
    except (OSError, ValueError):
        return False
