"""django-axes' database handler, with one change to what a successful login forgives.

Axes counts failures per address and per username (AXES_LOCKOUT_PARAMETERS); on a successful
login it would delete every failure of the address and every failure of the username. Then
anyone holding one account could guess other accounts' passwords without end, logging in to
their own after every few guesses. Here a successful login forgives only its own typos: the
failures of that username from that address.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt


class LockoutHandler(AxesDatabaseHandler):
    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count
