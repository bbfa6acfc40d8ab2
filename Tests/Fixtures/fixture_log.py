"""The request log both fixture servers write: one JSON line per request, flushed as it goes."""
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
