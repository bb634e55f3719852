"""Daily sales report from the shop's CSV export (columns: day, sku, quantity, price_cents)."""

import csv
import sys
from collections import defaultdict
from pathlib import Path


def load_sales(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def revenue_by_day(rows: list[dict[str, str]]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row["day"]] += int(row["quantity"]) * int(row["price_cents"])
    return dict(sorted(totals.items()))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} sales.csv", file=sys.stderr)
        return 2
    for day, cents in revenue_by_day(load_sales(Path(argv[1]))).items():
        print(f"{day}  ${cents / 100:>10,.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
