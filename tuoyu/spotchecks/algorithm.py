"""The double-random draw as a pure function of stored inputs (no database here).

A draw is two phases on one seeded `random.Random`:

1. Institutions: each candidate falls in the first stratum that matches (rules.STRATA order); in each
   stratum, over its candidates sorted by id, ⌈rate × size⌉ are picked.
2. Teams: for each drawn institution (by id), the inspectors eligible for it (their region covers
   the institution) minus the stored exclusions, sorted by id; inspectors of the planning office's own
   region are preferred, the others (city, province) fill in. Too few left: the institution gets no team.

Only `Random.random()` is used (a partial Fisher–Yates shuffle over it): Python guarantees that method's
sequence for a seed across versions, unlike `sample()` or `choice()`. So the same inputs give the same
result anywhere, which is what `replay` checks.

Inputs (as stored in `Draw.inputs`): algorithm, seed, team_size, strata [{key, rate_bp, lookback_days}],
candidates [{id, name, serious, complaints, tier}], inspectors [{id, name, units, regions, preferred}],
eligible {"<institution id>": [inspector ids]}, exclusions [{institution, inspector, reason, detail}].
Result: strata [{key, rate_bp, size, drawn}], institutions [{id, name, stratum, available, team}].
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from typing import Any

from .choices import StratumKey
from .rules import BP, CREDIT_TIERS, STRATA_ORDER


def pick(rng: random.Random, items: Sequence[int], k: int) -> list[int]:
    """k distinct items in drawn order (a partial Fisher–Yates shuffle driven by `rng.random()`)."""
    pool = list(items)
    k = min(k, len(pool))
    for i in range(k):
        j = i + int(rng.random() * (len(pool) - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def sample_size(rate_bp: int, size: int) -> int:
    """⌈rate × size⌉ in integers (rate in basis points)."""
    return -(-rate_bp * size // BP)


def stratum_of(candidate: dict[str, Any], keys: Sequence[str]) -> str:
    """The first of the batch's strata that the candidate matches (the default matches everything)."""
    for key in keys:
        if key == StratumKey.SERIOUS_FINDINGS and candidate.get("serious"):
            return key
        if key == StratumKey.COMPLAINTS and candidate.get("complaints"):
            return key
        if key in CREDIT_TIERS and candidate.get("tier") in CREDIT_TIERS[key]:
            return key
        if key == StratumKey.DEFAULT:
            return key
    return StratumKey.DEFAULT


def draw_institutions(inputs: dict[str, Any], rng: random.Random) -> list[tuple[int, str]]:
    """Phase 1: (institution id, stratum) of every drawn institution, in drawn order."""
    strata = sorted(inputs["strata"], key=lambda s: STRATA_ORDER.index(s["key"]))
    keys = [s["key"] for s in strata]
    members: dict[str, list[int]] = {key: [] for key in keys}
    for candidate in sorted(inputs["candidates"], key=lambda c: c["id"]):
        members[stratum_of(candidate, keys)].append(candidate["id"])
    drawn: list[tuple[int, str]] = []
    for stratum in strata:
        ids = members[stratum["key"]]
        for institution_id in pick(rng, ids, sample_size(stratum["rate_bp"], len(ids))):
            drawn.append((institution_id, stratum["key"]))
    return drawn


def excluded_pairs(inputs: dict[str, Any]) -> set[tuple[int, int]]:
    return {(e["institution"], e["inspector"]) for e in inputs.get("exclusions", [])}


def draw_teams(
    inputs: dict[str, Any], drawn: list[tuple[int, str]], rng: random.Random
) -> list[dict[str, Any]]:
    """Phase 2: the team of each drawn institution (by id), from the stored eligible lists and exclusions."""
    team_size = int(inputs["team_size"])
    preferred = {i["id"] for i in inputs["inspectors"] if i.get("preferred")}
    names = {c["id"]: c["name"] for c in inputs["candidates"]}
    excluded = excluded_pairs(inputs)
    rows = []
    for institution_id, stratum in sorted(drawn):
        eligible = sorted(set(inputs.get("eligible", {}).get(str(institution_id), [])))
        available = [i for i in eligible if (institution_id, i) not in excluded]
        own = [i for i in available if i in preferred]
        others = [i for i in available if i not in preferred]
        team: list[int] = []
        if len(available) >= team_size:
            if len(own) >= team_size:
                team = pick(rng, own, team_size)
            else:
                team = own + pick(rng, others, team_size - len(own))
        rows.append(
            {
                "id": institution_id,
                "name": names.get(institution_id, ""),
                "stratum": stratum,
                "available": len(available),
                "team": team,
            }
        )
    return rows


def summarise(
    inputs: dict[str, Any], drawn: list[tuple[int, str]], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    strata = sorted(inputs["strata"], key=lambda s: STRATA_ORDER.index(s["key"]))
    keys = [s["key"] for s in strata]
    sizes: dict[str, int] = dict.fromkeys(keys, 0)
    for candidate in inputs["candidates"]:
        sizes[stratum_of(candidate, keys)] += 1
    drawn_count: dict[str, int] = dict.fromkeys(keys, 0)
    for _id, key in drawn:
        drawn_count[key] += 1
    return {
        "strata": [
            {
                "key": s["key"],
                "rate_bp": s["rate_bp"],
                "size": sizes[s["key"]],
                "drawn": drawn_count[s["key"]],
            }
            for s in strata
        ],
        "institutions": rows,
    }


def run(
    inputs: dict[str, Any],
    *,
    prepare_teams: Callable[[list[int]], dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run a draw: answers (inputs, result). With `prepare_teams` (the live draw), the eligible
    inspectors and exclusions of the drawn institutions are read between the phases and stored in the
    inputs; without it (a replay), the stored ones are used."""
    rng = random.Random(int(inputs["seed"]))  # noqa: S311 - a reproducible draw, not a secret
    drawn = draw_institutions(inputs, rng)
    if prepare_teams is not None:
        inputs = {**inputs, **prepare_teams(sorted(i for i, _key in drawn))}
    rows = draw_teams(inputs, drawn, rng)
    return inputs, summarise(inputs, drawn, rows)


def digest(inputs: dict[str, Any], result: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of inputs and result, published with the draw (a commitment:
    a stored record changed afterwards no longer matches what was published)."""
    text = json.dumps(
        {"inputs": inputs, "result": result}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def differences(stored: dict[str, Any], recomputed: dict[str, Any]) -> list[dict[str, Any]]:
    """What differs between two results, per stratum and per institution (empty when identical)."""
    out: list[dict[str, Any]] = []
    old_strata = {s["key"]: s for s in stored.get("strata", [])}
    new_strata = {s["key"]: s for s in recomputed.get("strata", [])}
    for key in sorted(set(old_strata) | set(new_strata), key=lambda k: (k not in STRATA_ORDER, k)):
        a, b = old_strata.get(key), new_strata.get(key)
        if a != b:
            out.append({"kind": "stratum", "key": key, "stored": a, "recomputed": b})
    old_rows = {r["id"]: r for r in stored.get("institutions", [])}
    new_rows = {r["id"]: r for r in recomputed.get("institutions", [])}
    for institution_id in sorted(set(old_rows) | set(new_rows)):
        a, b = old_rows.get(institution_id), new_rows.get(institution_id)
        if a is None:
            out.append({"kind": "only_recomputed", "institution": institution_id, "recomputed": b})
        elif b is None:
            out.append({"kind": "only_stored", "institution": institution_id, "stored": a})
        elif a != b:
            out.append({"kind": "changed", "institution": institution_id, "stored": a, "recomputed": b})
    return out
