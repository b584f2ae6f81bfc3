"""The forms of a certificate level people type, and the stored forms they mean (pure).

Credentials store the level as the issuing programme names it: the 人社 skill levels
``五级/初级工`` … ``一级/高级技师`` (``certification/reference_data/occupations.json``,
``level_names``) and the 1+X levels ``初级`` / ``中级`` / ``高级``, which map onto 五级 / 四级 /
三级 (``certification.programmes.ONEX_LEVEL_DIGITS``). A search for ``五级``, ``初级工``, ``5``
or ``五级（初级工）`` means ``五级/初级工``; ``初级`` means the 1+X 初级 *and* 五级/初级工.
"""

from __future__ import annotations

import re
import unicodedata

SKILL_LEVELS: dict[int, str] = {
    5: "五级/初级工",
    4: "四级/中级工",
    3: "三级/高级工",
    2: "二级/技师",
    1: "一级/高级技师",
}
"""人社 skill levels by digit (5 = the lowest), as stored (occupations.json ``level_names``)."""
ONEX_LEVELS: dict[str, int] = {"初级": 5, "中级": 4, "高级": 3}
"""1+X levels as stored, and the skill-level digit each maps onto."""

_FORMS: dict[str, tuple[str, ...]] = {}
for _digit, _stored in SKILL_LEVELS.items():
    _grade, _title = _stored.split("/")
    for _form in (
        _stored,
        _grade,
        _title,
        str(_digit),
        f"{_digit}级",
        f"{_grade}{_title}",
        f"{_grade}({_title})",
    ):
        _FORMS[_form] = (_stored,)
        _FORMS[_form.replace("级", "級")] = (_stored,)  # traditional 級 (五級, 初級工)
for _onex, _digit in ONEX_LEVELS.items():
    _FORMS[_onex] = (_onex, SKILL_LEVELS[_digit])
    _FORMS[_onex.replace("级", "級")] = (_onex, SKILL_LEVELS[_digit])

ACCEPTED_FORMS_TEXT = "五级…一级、初级工…高级技师、1–5、5级，或 1+X 的 初级、中级、高级"
"""The level forms a search accepts, as told to a user who typed another."""


def _key(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))


def is_known_level(text: str) -> bool:
    """Whether ``text`` is one of the level forms :func:`level_forms` recognises (same
    normalisation); ``"五级"``, ``"5级"``, ``"五級"`` → ``True``, ``"Ⅴ"``, ``"六级"`` → ``False``."""
    return _key(text) in _FORMS


def level_forms(text: str) -> tuple[str, ...]:
    """The stored levels a typed ``text`` means (NFKC, no white space; ``（）`` as ``()``,
    ``／`` as ``/``): ``"五级"`` → ``("五级/初级工",)``, ``"初级"`` → ``("初级", "五级/初级工")``;
    a form not recognised is looked up as typed (``(text,)``, trimmed). Never raises."""
    key = _key(text)
    return _FORMS.get(key, (key,) if key else ())
