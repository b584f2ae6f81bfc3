"""Run every benchmark: ``python -m bench`` (or ``make bench``). See bench/README.md."""

from __future__ import annotations

if __name__ == "__main__":
    raise SystemExit("the HTTP benchmarks are being rewritten (see bench/README.md)")
