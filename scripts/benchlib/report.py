"""Targets (met / NOT MET) and plain-text tables."""
import statistics


class Target:
    """One checked figure. `kind` is "target" (a goal of issue 5: speed, memory; noisy on a shared
    machine) or "check" (correctness: coverage, duplicates, politeness; must always hold)."""

    def __init__(self, name, figure, met, kind="target"):
        self.name, self.figure, self.met, self.kind = name, figure, met, kind

    @property
    def verdict(self):
        if self.met is None:
            return "n/a"
        return "met" if self.met else "NOT MET"

    def line(self):
        return f"  {self.verdict:8} {self.name}: {self.figure}"


def table(header, rows, align=None):
    """Columns padded to their widest cell; the first column left-aligned, the rest right-aligned
    unless `align` (a string of 'l'/'r', one per column) says otherwise."""
    align = align or "l" + "r" * (len(header) - 1)
    cells = [header] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for r in cells:
        lines.append("  ".join(c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(r, widths, align)).rstrip())
    return "\n".join(lines)


def median(values):
    values = list(values)
    return statistics.median(values) if values else 0.0


def coverage_text(audit):
    return " ".join(f"{k}={v[0]}/{v[1]}" for k, v in audit["coverage"].items())


def coverage_complete(audit):
    return all(v[0] == v[1] for v in audit["coverage"].values())


def correctness(audit):
    """'ok' for a complete crawl without duplicate, unexpected or disallowed requests; else what was wrong."""
    wrong = []
    if not coverage_complete(audit):
        wrong.append("incomplete " + coverage_text(audit))
    for key in ("duplicates", "unexpected", "disallowed_requested"):
        if audit[key]:
            wrong.append(f"{key} {audit[key]}")
    if audit["unexpected_sample"]:
        wrong.append(f"e.g. {audit['unexpected_sample'][:3]}")
    return "; ".join(wrong) or "ok"
