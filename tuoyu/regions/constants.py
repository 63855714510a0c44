"""The 12-digit statistical division code (统计用区划代码) and what its digits mean."""

CODE_LENGTH = 12

# Significant leading digits per level: 32 | 01 | 02 | 002 | 001 → province, city, county,
# township, community. A region's descendants are exactly the codes that share its significant
# prefix, so a subtree is one indexed range scan on the code (no recursion, no path column).
SIGNIFICANT_DIGITS = {"province": 2, "city": 4, "county": 6, "township": 9, "community": 12}
LEVEL_ORDER = ["province", "city", "county", "township", "community"]
CHILD_LEVEL = dict(zip(LEVEL_ORDER, LEVEL_ORDER[1:], strict=False))
PARENT_LEVEL = {child: parent for parent, child in CHILD_LEVEL.items()}


def subtree_bounds(code: str, level: str) -> tuple[str, str]:
    """The inclusive code range covering a region and everything below it."""
    digits = SIGNIFICANT_DIGITS[level]
    prefix = code[:digits]
    pad = CODE_LENGTH - digits
    return prefix + "0" * pad, prefix + "9" * pad


def significant_prefix(code: str, level: str) -> str:
    return code[: SIGNIFICANT_DIGITS[level]]


def ancestor_codes(code: str, level: str) -> list[str]:
    """Codes of the region's ancestors, nearest last (province first)."""
    result = []
    for lvl in LEVEL_ORDER[: LEVEL_ORDER.index(level)]:
        digits = SIGNIFICANT_DIGITS[lvl]
        result.append(code[:digits] + "0" * (CODE_LENGTH - digits))
    return result
