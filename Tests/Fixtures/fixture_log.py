"""What the fixture servers share: their request log (one JSON line per request, flushed as it
goes) and binding several addresses to one port."""
import errno
import json
import threading


class RequestLog:
    """One JSON line per request, appended and flushed under a lock."""

    def __init__(self, path):
        self.lock = threading.Lock()
        self.file = open(path, "a", encoding="utf-8") if path else None

    def write(self, record):
        if self.file is None:
            return
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self.lock:
            self.file.write(line)
            self.file.flush()


def on_one_port(port, bind, what):
    """Returns bind(port). `bind` binds every address of a server on `port` (0: the first
    address picks a free one, the others follow it) and closes what it opened before raising.
    With port 0, another process can take that port between two binds: EADDRINUSE is retried,
    up to 30 times. Any other failure ends the server with one line naming `what`."""
    last = None
    for _ in range(30 if port == 0 else 1):
        try:
            return bind(port)
        except OSError as e:
            last = e
            if e.errno != errno.EADDRINUSE:
                break
    raise SystemExit(f"{what} port {port}: {last}")
