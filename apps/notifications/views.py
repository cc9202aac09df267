from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.notifications import selectors, services


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_for(request.user), settings.RENDA["PUBLIC_PAGE_SIZE"]).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    ids = [int(i) for i in request.POST.getlist("id") if i.isdecimal()]
    services.inbox_mark_read(user=request.user, notification_ids=ids or None)
    return redirect("notifications:inbox")
