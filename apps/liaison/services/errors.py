from django.core.exceptions import ValidationError


class ConcernError(ValidationError):
    """A step the liaison rules do not allow, with a message for the person who tried it."""
