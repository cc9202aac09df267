from django.utils.translation import get_language

DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """Write 1..99 the way congress terms and sessions are numbered: 18 -> 十八, 21 -> 二十一."""
    if not 0 < n < 100 or not (get_language() or "zh").startswith("zh"):
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")
