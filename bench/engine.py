"""Policy engine throughput: in-process decisions/s and p50/p99 latency, 1-, 3- and 20-line orders, per preset.

One core, one thread; each decision parses the request dict and builds the §6 decision (with a return request).
`decisions/s` is the steady state, where line and order outcomes come from the engine's memo (keyed by the
facts the policy's conditions read); `afresh/s` turns that memo off, so every line is computed anew (as for
an order whose lines the engine has not seen).
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

from backend.policy import decide, load_policy, outcomes

NOW = datetime(2024, 12, 1, 18, 0, tzinfo=timezone.utc)
PRESETS = ("ally", "aallyn", "novus")
SIZES = (1, 3, 20)
WHERE_TIME_GOES = """where the time goes (aallyn, 3 lines, steady state, pyinstrument shares): reading the request ~44%
(fast path: lines through the product memo in fastline.py ~15%, order/address/fulfillments/return lines inline;
odd requests fall back to the per-field reader), line outcomes ~24% (fresh dicts from the memo ~10%, one
order token per decision), the return part ~18% (amounts, condition rules, fees), the rest order-level
(protection lines, merchandise value, memoised signature/shipping/tax, the decision dict)."""


def make_request(lines: int) -> dict:
    items = [{"id": str(i), "sku": f"SKU-{i}", "title": "Item", "product_type": "Handbags" if i % 2 else "Shoes",
              "product_tags": ["flash-sale"] if i % 5 == 4 else [], "quantity": 1 + i % 2, "price": "95.00",
              "compare_at_price": "120.00" if i % 3 == 2 else None, "discount": "5.00", "gift_card": False,
              "properties": {}} for i in range(lines)]
    return {"as_of": "2024-12-01T10:00:00-08:00", "order": {
        "id": "gid://shopify/Order/1", "created_at": "2024-11-20T09:30:00-08:00", "currency": "USD",
        "source_name": "web", "tags": [], "discount_codes": [],
        "shipping_address": {"country_code": "US", "province_code": "CA", "address1": "1 Main St"},
        "shipping_lines": [{"title": "UPS Ground", "carrier": "ups", "price": "0.00"}], "line_items": items,
        "fulfillments": [{"shipped_at": "2024-11-21T08:00:00-08:00", "delivered_at": "2024-11-25T14:00:00-08:00"}]},
        "return_request": {"resolution": "refund", "lines": [{"line_item_id": "0", "quantity": 1, "reason": "size"}]}}


def measure(policy, request: dict, seconds: float = 0.6) -> tuple[float, float, float]:
    """(decisions per CPU second of this thread, p50 µs, p99 µs of wall time per decision).

    Throughput is counted in thread CPU time so that other processes on a shared machine do not
    distort it; the latency percentiles are wall-clock and do include such noise."""
    for _ in range(200):
        decide(policy, request, NOW)
    samples = []
    clock = time.perf_counter
    cpu_start, deadline = time.thread_time(), clock() + seconds
    while clock() < deadline:
        start = clock()
        decide(policy, request, NOW)
        samples.append(clock() - start)
    cpu = time.thread_time() - cpu_start
    samples.sort()
    return len(samples) / cpu, samples[len(samples) // 2] * 1e6, samples[int(len(samples) * 0.99)] * 1e6


def main() -> None:
    print(f"{'policy':8} {'lines':>5} {'decisions/s':>12} {'p50 µs':>8} {'p99 µs':>8} {'afresh/s':>9}"
          "   (one core; /s in CPU time)")
    for name in PRESETS:
        policy = load_policy(name)
        for size in SIZES:
            request = make_request(size)
            rate, p50, p99 = measure(policy, request)
            outcomes.enabled = False
            try:
                fresh = measure(policy, request, seconds=0.3)[0]
            finally:
                outcomes.enabled = True
            print(f"{name:8} {size:5d} {rate:12,.0f} {p50:8.1f} {p99:8.1f} {fresh:9,.0f}")
    print(WHERE_TIME_GOES)


if __name__ == "__main__":
    main()
