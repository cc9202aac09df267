from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.core.paging import page_of
from apps.notifications import selectors, services


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/inbox.html", {"page": page_of(request, selectors.inbox_for(request.user))})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    ids = [int(i) for i in request.POST.getlist("id") if i.isdecimal()]
    services.inbox_mark_read(user=request.user, notification_ids=ids or None)
    return redirect("notifications:inbox")
