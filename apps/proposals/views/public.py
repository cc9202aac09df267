"""The public's pages: published proposals and public notices."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from apps.core.paging import page_of, query_without_page
from apps.proposals import forms
from apps.proposals.models import Proposal, Reply
from apps.proposals.selectors import (
    public_notices,
    published_matching,
    published_proposals,
)
from apps.proposals.views._common import label_outcomes

PUBLIC_NOTICES_SHOWN = 10


def public_list(request: HttpRequest) -> HttpResponse:
    form = forms.PublicFilterForm(request.GET or None)
    qs = published_proposals()
    if form.is_valid():
        if form.cleaned_data["session"]:
            qs = qs.filter(session=form.cleaned_data["session"])
        if form.cleaned_data["q"]:
            qs = published_matching(qs, form.cleaned_data["q"])
    context = {
        "form": form,
        "page": page_of(request, qs),
        "query": query_without_page(request),
        "notices": list(public_notices()[:PUBLIC_NOTICES_SHOWN]),
    }
    return render(request, "proposals/public_list.html", context)


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(published_proposals(), pk=pk)
    full = proposal.publication == Proposal.Publication.FULL
    replies = (
        label_outcomes(list(Reply.objects.filter(assignment__proposal=proposal).select_related("assignment__unit")))
        if full
        else []
    )
    return render(request, "proposals/public_detail.html", {"proposal": proposal, "full": full, "replies": replies})
