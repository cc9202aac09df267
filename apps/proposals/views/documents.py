"""Documents behind a check: reply letters, and notices (通报) to print or download as PDF."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.downloads import file_response
from apps.core.pdf import html_to_pdf
from apps.proposals.access import may_read_letter
from apps.proposals.models import Reply
from apps.proposals.selectors import (
    get_notice_for_user,
)


@login_required
def reply_letter(request: HttpRequest, reply_pk: int) -> HttpResponse:
    """A reply letter, to the people it was written for; never a public media address."""
    reply = get_object_or_404(Reply.objects.select_related("assignment"), pk=reply_pk)
    if not reply.letter or not may_read_letter(request.user, reply):
        raise Http404
    audit_event(Audit.DOWNLOAD, request=request, target=reply.assignment.proposal, file="reply letter", reply=reply.pk)
    return file_response(reply.letter)


def _organ(notice) -> str:
    region = notice.session.term.region
    if region.level == region.Level.TOWNSHIP:
        return _("%(region)s人民代表大会主席团") % {"region": region.name}
    return _("%(region)s人民代表大会常务委员会") % {"region": region.name}


def _notice_html(request: HttpRequest | None, notice, *, for_screen: bool) -> str:
    context = {
        "notice": notice,
        "organ": _organ(notice),
        "units": list(notice.units.order_by("name")),
        "paragraphs": notice.body.splitlines(),
        "for_screen": for_screen,
    }
    if for_screen:
        context["pdf_url"] = reverse("proposals:notice_pdf", args=[notice.pk])
    return render_to_string("proposals/notice_print.html", context, request=request)


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable notice, in the committee's document style; the browser prints it as it is."""
    notice = get_notice_for_user(request.user, pk)
    return HttpResponse(_notice_html(request, notice, for_screen=True))


def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_notice_for_user(request.user, pk)
    response = HttpResponse(html_to_pdf(_notice_html(None, notice, for_screen=False)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response
