"""Session lifetimes: an idle timeout and an absolute lifetime from login; deactivation ends sessions.

Django's own SESSION_SAVE_EVERY_REQUEST would give the idle timeout too, but writes the session
row on every request; here the last-seen time is written at most once a minute, so idle time is
measured to the minute and a busy portal does not rewrite a row per page.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

LOGIN_AT = "renda_login_at"
SEEN_AT = "renda_seen_at"
# How stale the last-seen stamp may get before a request rewrites it.
TOUCH_SECONDS = 60


def idle_seconds() -> int:
    return settings.RENDA_SESSION_IDLE_MINUTES * 60


def max_seconds() -> int:
    return settings.RENDA_SESSION_MAX_HOURS * 3600


@receiver(user_logged_in, dispatch_uid="renda_session_login_at")
def stamp_login(sender, request, user, **kwargs):
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


def session_expired(session, now: float) -> bool:
    return now - session[SEEN_AT] > idle_seconds() or now - session[LOGIN_AT] > max_seconds()


class SessionLimitMiddleware:
    """Log out a session past the idle or absolute limit; the request goes on as anonymous.

    Pages that need a login then send the visitor to the login page (with `next`), where the
    message says why; public pages simply show the message.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request):
        now = time.time()
        if LOGIN_AT not in request.session or SEEN_AT not in request.session:
            # Logged in before these limits were deployed: the limits count from now.
            request.session.setdefault(LOGIN_AT, now)
            request.session[SEEN_AT] = now
        elif session_expired(request.session, now):
            logout(request)
            messages.info(request, _("您已较长时间未操作或登录已超过时限，请重新登录。"))
        elif now - request.session[SEEN_AT] > TOUCH_SECONDS:
            request.session[SEEN_AT] = now


def sessions_end_for(user_pk) -> int:
    """Delete every live session row of one user; returns how many.

    The database backend keeps the user id only inside the signed session data, so this decodes
    every unexpired row (those saved in the last RENDA_SESSION_MAX_HOURS). It runs only when an
    account is deactivated, which is rare; a QuerySet.update() of is_active bypasses it.
    """
    user_pk = str(user_pk)
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_pk
    ]
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="renda_session_was_active")
def note_deactivation(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None or instance.is_active:
        instance._renda_deactivated = False
        return
    was_active = sender.objects.filter(pk=instance.pk, is_active=True).exists()
    instance._renda_deactivated = was_active


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="renda_session_end_on_deactivation")
def end_sessions_on_deactivation(sender, instance, **kwargs):
    if getattr(instance, "_renda_deactivated", False):
        sessions_end_for(instance.pk)
