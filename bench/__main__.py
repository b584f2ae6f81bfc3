"""Run every benchmark: ``python -m bench`` (or ``make bench``)."""

from __future__ import annotations

import asyncio

from bench import verify_vs_trivial

if __name__ == "__main__":
    asyncio.run(verify_vs_trivial.main())
