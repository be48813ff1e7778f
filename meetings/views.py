from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render

from onechoice.concurrency import VersionTokenField, version_token
from onechoice.http import checked_path, is_public, valid_fiscal_year, valid_id
from onechoice.page_cache import cached_page
from onechoice.pdf import current_document
from onechoice.roles import Role, role_of
from onechoice.services import RecordsInvalid

from . import documents, feeds, selectors, services
from .filters import MeetingFilter
from .models import AttendanceReply, AttendanceStatus, Handout, MaterialRequest, Meeting
from .packet import packet_pdf as build_packet


@cached_page
def meeting_list(request):
    meeting_filter = MeetingFilter(request.GET, queryset=selectors.meetings_visible(public=is_public(request)))
    return render(
        request,
        "meetings/meeting_list.html",
        {"filter": meeting_filter, "meetings": selectors.in_time_order(meeting_filter.qs)},
    )


def _meeting_or_404(request, pk) -> Meeting:
    """The meeting, if the requester may see it; 404 alike for missing and unpublished."""
    try:
        return selectors.meeting_detail(pk, public=is_public(request))
    except Meeting.DoesNotExist:
        raise Http404 from None


@checked_path(pk=valid_id)
@cached_page
def meeting_detail(request, pk):
    meeting = _meeting_or_404(request, pk)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": selectors.agenda_outline(meeting.agenda_items.all()),
            "attendees": selectors.attendee_list(meeting.attendances.all()),
        },
    )


# A schedule shows its year and the two before it (selectors.annual_schedule's default, which
# the page and the PDF use): a year holds records when one of the three has a meeting the
# requester may see.
SCHEDULE_YEARS = 3


@checked_path(fiscal_year=valid_fiscal_year)
@cached_page
def schedule(request, fiscal_year):
    years = selectors.annual_schedule(fiscal_year, public=is_public(request))
    if not years:
        raise Http404("この年度の会議はありません。")
    return render(request, "meetings/schedule.html", {"fiscal_year": fiscal_year, "years": years})


def _schedule_holds_meetings(fiscal_year: int, public: bool) -> bool:
    return (
        selectors.meetings_visible(public=public)
        .filter(fiscal_year__gt=fiscal_year - SCHEDULE_YEARS, fiscal_year__lte=fiscal_year)
        .exists()
    )


def _meeting_document(request, pk, name: str, build):
    """The meeting's PDF ``name`` for the requester: the visibility check first (one query),
    then the document as last built, or ``build(meeting)`` after a change."""
    public = is_public(request)
    if not selectors.meetings_visible(public=public).filter(pk=pk).exists():
        raise Http404
    document = current_document(
        selectors.meeting_document_name(name, pk, public), lambda: build(_meeting_or_404(request, pk), public)
    )
    return document.response(request)


@checked_path(pk=valid_id)
def agenda_pdf(request, pk):
    return _meeting_document(request, pk, "agenda", lambda meeting, public: documents.agenda_pdf(meeting))


@checked_path(pk=valid_id)
def attendees_pdf(request, pk):
    return _meeting_document(request, pk, "attendees", lambda meeting, public: documents.attendees_pdf(meeting))


@checked_path(pk=valid_id)
def seating_pdf(request, pk):
    return _meeting_document(request, pk, "seating", lambda meeting, public: documents.seating_pdf(meeting))


@checked_path(pk=valid_id)
def packet_pdf(request, pk):
    return _meeting_document(request, pk, "packet", lambda meeting, public: build_packet(meeting, public=public))


@checked_path(fiscal_year=valid_fiscal_year)
def schedule_pdf(request, fiscal_year):
    public = is_public(request)

    def build():
        # Asked only when the document is not in the cache: a cached one was built for a year
        # with meetings, under the same data version.
        if not _schedule_holds_meetings(fiscal_year, public):
            raise Http404("この年度の会議はありません。")
        return documents.schedule_pdf(fiscal_year, public=public)

    return current_document(f"schedule:{fiscal_year}:{public}", build).response(request)


def calendar_ics(request):
    meetings = selectors.meetings_visible(public=is_public(request))
    body = feeds.meetings_calendar(meetings, base_url=request.build_absolute_uri("/"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@checked_path(pk=valid_id)
def handout_file(request, pk):
    """An uploaded handout PDF, for whoever may see it: the public gets public handouts of
    published meetings only (404 otherwise, as for a missing file)."""
    try:
        handout = selectors.handout_with_file(pk, public=is_public(request))
    except Handout.DoesNotExist:
        raise Http404 from None
    filename = f"{handout.meeting.fiscal_year}_{handout.label}_{handout.title}.pdf"
    return FileResponse(handout.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")


# --- the reply to an attendance request (出欠回答) ------------------------------------------------
# Personal (one organisation's answers, a form): never from the page cache.


# As the request asks them: 本人出席 for the record's 出席.
REPLY_CHOICES = [
    (AttendanceStatus.PRESENT, "本人出席"),
    *[(value, label) for value, label in AttendanceStatus.choices if value != AttendanceStatus.PRESENT],
]


class SeatAnswerForm(forms.Form):
    status = forms.ChoiceField(label="出欠", choices=REPLY_CHOICES, widget=forms.RadioSelect)
    proxy_title = forms.CharField(label="代理者の役職", max_length=100, required=False)
    proxy_name = forms.CharField(label="代理者の氏名", max_length=50, required=False)
    version = VersionTokenField()  # the row as the page showed it


class ReplyForm(forms.Form):
    note = forms.CharField(label="連絡事項", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version_token = forms.CharField(widget=forms.HiddenInput, required=False)


def _seat_forms(rows, data=None):
    return [
        (
            row,
            SeatAnswerForm(
                data,
                prefix=f"seat-{row.pk}",
                initial={
                    "status": row.status,
                    "proxy_title": row.proxy_title,
                    "proxy_name": row.proxy_name,
                    "version": version_token(row),
                },
            ),
        )
        for row in rows
    ]


@checked_path(pk=valid_id)
def attendance_reply(request, pk):
    """An organisation's answer to the meeting's attendance request, by a user affiliated with
    it (the secretariat also for ``?organization=<id>``); 404 for everybody else."""
    organization = request.GET.get("organization")
    organization_id = valid_id(organization) if organization else None
    try:
        reply = selectors.reply_for(pk, request.user, organization_id=organization_id)
    except AttendanceReply.DoesNotExist:
        raise Http404 from None
    attendance_request = reply.request
    editable = attendance_request.is_open() or services.may_answer_after_deadline(request.user)
    rows = selectors.reply_rows(pk, reply.organization_id)
    errors, status = [], 200
    if request.method == "POST":
        seat_forms, form = _seat_forms(rows, request.POST), ReplyForm(request.POST)
        if not editable:
            errors, status = [_CLOSED], 403
        elif form.is_valid() and all(f.is_valid() for _row, f in seat_forms):
            answers = [services.SeatAnswer(row.pk, **f.cleaned_data) for row, f in seat_forms]
            try:
                services.attendance_reply_save(
                    reply=reply,
                    answers=answers,
                    note=form.cleaned_data["note"],
                    user=request.user,
                    version=form.cleaned_data["version_token"],
                )
            except RecordsInvalid as invalid:
                by_pk = {row.pk: f for row, f in seat_forms}
                for row, error in invalid.problems:
                    for field, texts in error.message_dict.items():
                        by_pk[row.pk].add_error(field if field in SeatAnswerForm.base_fields else None, texts)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, "出欠の回答を保存しました。確認のメールをお送りします。")
                return redirect(request.get_full_path())
        if status == 200:
            status = 400 if errors or form.errors or any(f.errors for _row, f in seat_forms) else 200
    else:
        seat_forms = _seat_forms(rows)
        form = ReplyForm(initial={"note": reply.note, "version_token": version_token(reply)})
    return render(
        request,
        "meetings/attendance_reply.html",
        {
            "reply": reply,
            "attendance_request": attendance_request,
            "meeting": attendance_request.meeting,
            "seat_forms": seat_forms,
            "form": form,
            "editable": editable,
            "errors": errors,
            "closed_message": _CLOSED,
        },
        status=status,
    )


_CLOSED = "回答期限を過ぎたため、変更できません。期限後の変更は事務局へ連絡してください。"


# --- material submissions (資料提出) ----------------------------------------------------------------
# Personal (the slots asked of the user's department or organisation, upload forms): never from
# the page cache. Plain forms, one per slot: the page works without JavaScript.


class MaterialUploadForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(
        label="PDFファイル",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        error_messages={"required": "提出するPDFファイルを選んでください。"},
    )
    version_token = forms.CharField(widget=forms.HiddenInput, required=False)


def _upload_form(slot, data=None, files=None) -> MaterialUploadForm:
    return MaterialUploadForm(data, files, initial={"slot": slot.pk, "version_token": version_token(slot)})


@checked_path(pk=valid_id)
def materials(request, pk):
    """The material slots of a meeting asked of the user's department or organisation: their
    state, deadline and the secretariat's comment, and an upload form for each slot not yet
    accepted. The secretariat sees every slot (read-only here: it accepts and returns on the
    meeting's admin page). 404 alike for the public, a missing meeting and anybody who was
    asked nothing; a POST for a slot the user may not submit is a 404 too."""
    user = request.user
    if not user.is_authenticated or not selectors.meetings_visible(public=False).filter(pk=pk).exists():
        raise Http404
    parties = selectors.parties_of(user)
    slots = selectors.materials_for(pk, user, parties=parties)
    secretariat = role_of(user) == Role.SECRETARIAT
    if not slots and not secretariat:
        raise Http404
    submittable = {slot.pk for slot in slots if services.may_submit(user, slot, parties)}
    posted, posted_pk, errors, status = None, None, [], 200
    if request.method == "POST":
        slot = next((s for s in slots if str(s.pk) == request.POST.get("slot", "") and s.pk in submittable), None)
        if slot is None:
            raise Http404
        posted, posted_pk = _upload_form(slot, request.POST, request.FILES), slot.pk
        if posted.is_valid():
            try:
                services.material_submit(
                    material_request=slot,
                    file=posted.cleaned_data["file"],
                    user=user,
                    version=posted.cleaned_data["version_token"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, texts in error.message_dict.items():
                        posted.add_error(field if field in posted.fields else None, texts)
                else:
                    errors = error.messages
            else:
                messages.success(
                    request,
                    f"{slot.handout.label}「{slot.handout.title}」を提出しました。"
                    "事務局が確認します（確定するまでは差し替えられます）。",
                )
                return redirect(f"{request.path}#material-{slot.pk}")
        status = 400
    rows = []
    for slot in slots:
        if slot.pk == posted_pk:
            rows.append((slot, posted, errors))
        else:
            rows.append((slot, _upload_form(slot) if slot.pk in submittable and slot.is_open else None, []))
    meeting = slots[0].handout.meeting if slots else selectors.meetings_visible(public=False).get(pk=pk)
    return render(
        request,
        "meetings/materials.html",
        {
            "meeting": meeting,
            "rows": rows,
            "secretariat": secretariat,
            "max_size": f"{settings.HANDOUT_MAX_BYTES / (1024 * 1024):g}MB",
            "max_pages": settings.HANDOUT_MAX_PAGES,
        },
        status=status,
    )


@checked_path(pk=valid_id, slot=valid_id)
def material_file(request, pk, slot):
    """The PDF a department or organisation submitted for a slot, for the secretariat and the
    party it was asked of (404 alike for a missing slot and for anybody else)."""
    try:
        material = selectors.material_with_file(slot, request.user)
    except MaterialRequest.DoesNotExist:
        raise Http404 from None
    if material.handout.meeting_id != pk:
        raise Http404
    handout = material.handout
    filename = f"{handout.meeting.fiscal_year}_{handout.label}_{handout.title}_提出版.pdf"
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
