"""The divisions hierarchy below the districts: streets (街道/镇) and functional zones (功能区).

A functional zone (高新区, 南部山区, 起步区) is an *overlay*: an administrative committee that
manages some streets, which still belong to their GB/T 2260 district. So the hierarchy is
city → district → street, and a zone is a set of streets (``tp_division.zone_code`` on the
street). Sources: ``reference_data/jinan_divisions.json`` (districts, zones) and
``reference_data/jinan_streets.json`` (NBS 2023 statistical division codes of the streets).
"""

from __future__ import annotations

from typing import Any

from talent_pool import reference
from talent_pool.errors import ValidationFailed
from talent_pool.tables import Division

# Zones without a statistical code get a local code (tp_division.code is the key).
_LOCAL_ZONE_CODES = {"南部山区": "Z-NBSQ", "起步区": "Z-QBQ"}


def zone_code(zone: dict[str, Any]) -> str:
    """The code of a functional zone of ``jinan_divisions.json``: its statistical code, or the
    local code of :data:`_LOCAL_ZONE_CODES` for a zone that has none."""
    return str(zone.get("code") or _LOCAL_ZONE_CODES[zone["short"]])


def division_rows() -> list[dict[str, Any]]:
    """The zone and street rows of ``tp_division`` (level ``functional_zone`` / ``street``) from
    the reference files: a zone's parent is the city; a street's parent is its district and its
    ``zone_code`` the zone managing it (None outside any zone)."""
    doc = reference.jinan_divisions()
    city = doc["city"]["code"]
    rows: list[dict[str, Any]] = [
        {
            "code": zone_code(z),
            "name": z["name"],
            "level": "functional_zone",
            "parent_code": city,
            "kind": "功能区",
            "township_count": z.get("township_count"),
        }
        for z in doc["functional_zones"]
    ]
    for s in reference.jinan_streets()["streets"]:
        rows.append(
            {
                "code": s["code"],
                "name": s["name"],
                "level": "street",
                "parent_code": s["district_code"],
                "kind": s["kind"],
                "zone_code": s.get("zone_code"),
            }
        )
    return rows


async def divisions_tree() -> dict[str, Any]:
    """The hierarchy for pickers and the targets scopes:
    ``{"city": {code, name}, "districts": [{code, name, kind, streets: [{code, name, kind,
    zone_code}]}], "zones": [{code, name, short, streets: [codes]}]}`` (code order)."""
    rows = (
        await Division.select()
        .where(Division.level.is_in(["city", "district", "street", "functional_zone"]))
        .order_by(Division.code)
    )
    short = {zone_code(z): z["short"] for z in reference.jinan_divisions()["functional_zones"]}
    city = next(({"code": r["code"], "name": r["name"]} for r in rows if r["level"] == "city"), None)
    districts = {
        r["code"]: {"code": r["code"], "name": r["name"], "kind": r["kind"], "streets": []}
        for r in rows
        if r["level"] == "district"
    }
    zones = {
        r["code"]: {"code": r["code"], "name": r["name"], "short": short.get(r["code"], ""), "streets": []}
        for r in rows
        if r["level"] == "functional_zone"
    }
    for r in rows:
        if r["level"] != "street":
            continue
        if r["parent_code"] in districts:
            districts[r["parent_code"]]["streets"].append(
                {"code": r["code"], "name": r["name"], "kind": r["kind"], "zone_code": r["zone_code"]}
            )
        if r["zone_code"] in zones:
            zones[r["zone_code"]]["streets"].append(r["code"])
    return {"city": city, "districts": list(districts.values()), "zones": list(zones.values())}


async def require_street(street_code: str, district_code: str) -> str:
    """``street_code`` (trimmed) when it is a street of ``district_code``; raises
    :class:`ValidationFailed` (field ``street_code``) for an unknown street or one of another
    district."""
    code = street_code.strip()
    row = await Division.objects().get((Division.code == code) & (Division.level == "street"))
    if row is None:
        raise ValidationFailed(f"街道代码 {code} 不是本市现行街道（乡镇）", field="street_code")
    if row.parent_code != district_code:
        raise ValidationFailed(f"街道 {row.name}（{code}）不属于区县 {district_code}", field="street_code")
    return code
