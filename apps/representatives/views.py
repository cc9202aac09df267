from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.representatives.forms import RosterFilterForm
from apps.representatives.selectors import public_roster, representative_for_user


def roster(request: HttpRequest) -> HttpResponse:
    """The public list of serving representatives, by township."""
    form = RosterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = public_roster(township=filters.get("township"), level=filters.get("level") or None)
    page = Paginator(qs, settings.RENDA["PUBLIC_PAGE_SIZE"]).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "representatives/roster.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A representative's own record."""
    rep = representative_for_user(request.user)
    if rep is None:
        return render(request, "core/no_role.html", status=403)
    return render(request, "representatives/mine.html", {"rep": rep})
