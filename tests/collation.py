"""Python's view of the stroke-count order (姓氏笔画), to check what PostgreSQL returns."""

import icu

_COLLATOR = icu.Collator.createInstance(icu.Locale("zh@collation=stroke"))


def stroke_key(text: str) -> bytes:
    return _COLLATOR.getSortKey(text or "")
