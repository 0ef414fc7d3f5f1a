"""How much to make: the sizes of a synthetic data set, and progress reporting."""

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    patients: int
    referrals: int
    clinicians: int = 200
    practitioners: int = 3000
    organisations: int = 150
    years: int = 20
    second_opinions: int = 0
    policies: int = 200
    mdts: int = 0  # 0: one per 25,000 referrals (at least one, at most 50)

    @property
    def mdt_count(self) -> int:
        return self.mdts or max(1, min(50, self.referrals // 25_000))


class Progress:
    """A plain progress line on stderr (no dependency): "referrals 420000/1000000"."""

    def __init__(self, stream=None) -> None:
        self.stream = stream if stream is not None else sys.stderr

    def __call__(self, label: str, done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{label} {done}/{total}{end}")
        self.stream.flush()
