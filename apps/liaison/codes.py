"""The tracking code a citizen gets for a concern: random, short enough to read aloud."""

import secrets

# Easy to read aloud and type: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 14  # 14 × log2(25) ≈ 65 random bits


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """A code as staff and citizens type it ("abcd-efgh …"): capitals and digits only."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())
