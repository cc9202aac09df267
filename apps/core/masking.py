"""Masks for personal data shown to people who may not read it in full: one of each, used by
every list, page, history diff and export that masks."""


def mask_name(name: str) -> str:
    """王** : the surname says enough to tell two visitors apart, not who they are."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise a number, not to call it."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
