"""The seating editor (配席の編集), an admin page of a meeting at
``admin/meetings/meeting/<id>/seating/`` (``MeetingAdmin.get_urls``): the chart drawn as the
PDF draws it — the same placement (``placement.assign`` through ``selectors.seating_chart``)
and the same geometry (``layout.draw``) — each card naming who sits there, and a form that
moves one person to another seat: a seat chosen from the person's list, or a card dragged
onto another (static/js/admin-seating-editor.js only fills and submits that same form).

The chart is an SVG in chart millimetres (its boxes are attributes, not style attributes,
which the Content Security Policy forbids); each card carries an HTML handle in a
``foreignObject`` for HTML5 drag and drop. Empty seats inside a side (a head table kept
centred, a gap left by a move) are drawn so that a person can be dragged onto them; the
lists also offer the next seat after the last of each side.

The writes are ``meetings.services.seat_move``, ``seats_place_automatically`` and
``seating_plan_ensure``; viewing takes the meeting's view permission, changing the change
permission on the meeting (division scope included) and on seating plans and seats.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import selectors, services
from ..models import Attendance, AttendanceStatus, Meeting, SeatSide
from .chart import _SIDE_ORDER, PlacedSeat, SeatingChart
from .fitting import LINE_HEIGHT, PT
from .layout import _slot_counts, draw

# The model permissions a change in the editor takes, beside the meeting's own (a move adds
# or changes seats, 「席次どおりに並べ直す」 deletes them; a meeting without a plan gets one).
CHANGE_PERMISSIONS = (
    "meetings.change_seatingplan",
    "meetings.add_seatingplan",
    "meetings.add_seat",
    "meetings.change_seat",
    "meetings.delete_seat",
)

SIDE_NAMES = {
    SeatSide.HEAD: gettext_lazy("正面"),
    SeatSide.LEFT: gettext_lazy("左側"),
    SeatSide.RIGHT: gettext_lazy("右側"),
    SeatSide.BACK: gettext_lazy("後方"),
}
INLINE_PADDING = 1.5  # mm, as fitting._dress_inline lays out a one-line card


def present_label(attendance: Attendance) -> str:
    """One line naming the person in the seat, as the attendee list words it: 富山市長 藤井 裕久;
    for 代理出席 the office and the deputy, 富山市長 副市長 山田 太郎（代理）, never the absent
    mayor's name; 射水市長 夏野 元志（WEB）; an absentee marked （欠席）."""
    label = f"{attendance.office} {attendance.present_name}"
    if attendance.status == AttendanceStatus.ONLINE:
        label += _("（WEB）")
    elif attendance.status == AttendanceStatus.ABSENT:
        label += _("（欠席）")
    return label


class PresentPersonChoiceField(forms.ModelChoiceField):
    """An attendee dropdown (the seat inline's) labelled with who is actually there."""

    def label_from_instance(self, obj):
        return present_label(obj)


def seat_key(side: str, position: int) -> str:
    return f"{side}-{position}"


def seat_name(side: str, position: int) -> str:
    """左側 3."""
    return f"{SIDE_NAMES.get(side, side)} {position}"


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _box(thing) -> dict[str, str]:
    """The SVG rectangle of a card or a table (chart mm)."""
    return {"x": _num(thing.x), "y": _num(thing.y), "width": _num(thing.width), "height": _num(thing.height)}


@dataclass(frozen=True)
class Card:
    """A seat on the screen's chart, occupied (``seat.attendance`` sits there) or empty, with
    the SVG coordinates (chart mm) of its box and text lines."""

    seat: PlacedSeat
    empty: bool = False

    @property
    def key(self) -> str:
        return seat_key(self.seat.side, self.seat.position)

    @property
    def name(self) -> str:
        return seat_name(self.seat.side, self.seat.position)

    @property
    def tooltip(self) -> str:
        return f"{self.name}：" + (_("空席") if self.empty else present_label(self.seat.attendance))

    @property
    def box(self) -> dict[str, str]:
        return _box(self.seat)

    @property
    def title_size(self) -> str:
        return _num(self.seat.title_pt * PT)

    @property
    def name_size(self) -> str:
        return _num(self.seat.name_pt * PT)

    @property
    def title_at(self) -> dict[str, str]:
        """Where the title line is drawn: centred on a two-line card, at the left of a one-line card."""
        s = self.seat
        if s.inline:
            return {"x": _num(s.x + INLINE_PADDING), "y": _num(s.y + s.height / 2), "anchor": "start"}
        line = s.title_pt * LINE_HEIGHT * PT
        return {"x": _num(s.x + s.width / 2), "y": _num(s.y + s.padding_top + line / 2), "anchor": "middle"}

    @property
    def name_at(self) -> dict[str, str]:
        s = self.seat
        if s.inline:
            x = s.x + INLINE_PADDING + s.title_width
            return {"x": _num(x), "y": _num(s.y + s.height / 2), "anchor": "start"}
        title, name = s.title_pt * LINE_HEIGHT * PT, s.name_pt * LINE_HEIGHT * PT
        return {"x": _num(s.x + s.width / 2), "y": _num(s.y + s.padding_top + title + name / 2), "anchor": "middle"}

    @property
    def empty_at(self) -> dict[str, str]:
        s = self.seat
        return {"x": _num(s.x + s.width / 2), "y": _num(s.y + s.height / 2)}


@dataclass
class EditorChart:
    chart: SeatingChart  # the seats as the PDF draws them
    cards: list[Card]  # the same seats, plus the empty seats inside each side
    placed: list[tuple[Attendance, str, int]]
    slots: dict[str, int]  # seats per side as drawn

    @property
    def tables(self) -> list[dict[str, str]]:
        return [_box(b) for b in self.chart.blocks if b.kind == "table"]

    @property
    def captions(self) -> list[dict[str, str]]:
        return [
            {"x": _num(b.x + b.width / 2), "y": _num(b.y + b.height / 2), "text": b.text}
            for b in self.chart.blocks
            if b.kind == "caption"
        ]

    @property
    def view_box(self) -> str:
        return f"0 0 {_num(self.chart.width)} {_num(self.chart.height)}"

    @property
    def seat_of(self) -> dict[int, tuple[str, int]]:
        return {a.pk: (side, position) for a, side, position in self.placed}

    @property
    def version(self) -> str:
        """A digest of who sits where: a form posted from a page showing another placement
        (somebody moved people meanwhile) is refused instead of moving the wrong person."""
        text = self.chart.layout + ";" + ";".join(f"{a.pk}:{s}:{p}" for a, s, p in sorted(self.placed, key=_by_pk))
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def choices(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Every seat a person can be moved to, by side: the seats drawn (taken or empty) and
        the next one after the last of each side — labelled with who sits there."""
        taken = {(side, position): a for a, side, position in self.placed}
        groups = []
        for side in sorted(SIDE_NAMES, key=_SIDE_ORDER.get):
            options = []
            for position in range(1, self.slots[side] + 2):
                sitter = taken.get((side, position))
                who = present_label(sitter) if sitter else _("空席")
                options.append((seat_key(side, position), f"{seat_name(side, position)}：{who}"))
            groups.append((str(SeatSide(side).label), options))
        return groups


def _by_pk(entry: tuple[Attendance, str, int]) -> int:
    return entry[0].pk


def editor_chart(chart: SeatingChart) -> EditorChart:
    """The screen's chart from the printed one (``selectors.seating_chart``): drawn again with
    the empty seats inside each side filled by blank cards, which leaves every occupied card
    exactly where the PDF puts it (a side's size is set by its last seat, the head table's by
    its centred chair)."""
    placed = [(s.attendance, s.side, s.position) for s in chart.seats]
    slots = _slot_counts(placed)
    taken = {(side, position) for _a, side, position in placed}
    blanks = [
        (Attendance(title="", name="", protocol_order=10**6), side, position)
        for side, count in slots.items()
        for position in range(1, count + 1)
        if (side, position) not in taken
    ]
    if not blanks:
        return EditorChart(chart, [Card(s) for s in chart.seats], placed, slots)
    blank_people = {id(a) for a, _s, _p in blanks}
    drawn = draw(placed + blanks, chart.layout)
    cards = [Card(s, empty=id(s.attendance) in blank_people) for s in drawn.seats]
    return EditorChart(chart, cards, placed, slots)


class SeatMoveForm(forms.Form):
    """One person to one seat, as a row of the editor's list posts it (``move`` names the
    person, ``seat_<id>`` the seat chosen in their list)."""

    attendance = forms.TypedChoiceField(
        coerce=int,
        error_messages={
            "required": gettext_lazy("移す人を選んでください。"),
            "invalid_choice": gettext_lazy("この会議で席のある出席者を選んでください（欠席の人には席がありません）。"),
        },
    )
    seat = forms.ChoiceField(
        error_messages={
            "required": gettext_lazy("移す先の席を選んでください。"),
            "invalid_choice": gettext_lazy("その席（%(value)s）はこの配席図にありません。"),
        },
    )
    version = forms.CharField(required=False)

    def __init__(self, data, *, editor: EditorChart):
        move = data.get("move", "")
        super().__init__({"attendance": move, "seat": data.get(f"seat_{move}", ""), "version": data.get("version")})
        self.editor = editor
        self.people = {a.pk: a for a, _s, _p in editor.placed}
        self.fields["attendance"].choices = [(pk, present_label(a)) for pk, a in self.people.items()]
        self.fields["seat"].choices = editor.choices()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version") != self.editor.version:
            raise ValidationError(
                _("この画面を開いた後に配席が変わりました。最新の配席図を表示したので、もう一度移してください。"),
                code="stale",
            )
        if "seat" in cleaned:
            side, position = cleaned["seat"].rsplit("-", 1)
            cleaned["side"], cleaned["position"] = side, int(position)
        return cleaned


def may_change_seating(model_admin, request, meeting: Meeting) -> bool:
    return request.user.has_perms(CHANGE_PERMISSIONS) and model_admin.has_change_permission(request, meeting)


def _moved_message(move: services.SeatMove) -> str:
    text = _("%(who)s を %(seat)s に移しました。") % {
        "who": present_label(move.attendance),
        "seat": seat_name(*move.seat),
    }
    if move.swapped_with is not None:
        text += _("%(who)s は %(seat)s に移りました（入れ替え）。") % {
            "who": present_label(move.swapped_with),
            "seat": seat_name(*move.origin),
        }
    return text


def seating_editor_view(model_admin, request, object_id):
    """GET: the chart and the list of who sits where. POST ``move`` (+ ``seat_<id>``,
    ``version``): move one person, swapping with whoever sits there; POST ``reset``: every seat
    back to protocol order. Success redirects here with a message; bad input shows a Japanese
    error and changes nothing."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    found = model_admin.get_object(request, unquote(object_id))  # None for a missing or malformed id
    if found is None:
        raise Http404(_("この会議は見つかりません。"))
    if not model_admin.has_view_permission(request, found):
        raise PermissionDenied
    may_change = may_change_seating(model_admin, request, found)
    meeting = selectors.meeting_detail(found.pk)
    editor = editor_chart(selectors.seating_chart(meeting))
    errors: list[str] = []
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if "reset" in request.POST:
            plan = services.seating_plan_ensure(meeting=meeting)
            services.seats_place_automatically(plan=plan, reset=True)
            model_admin.message_user(
                request, _("席次どおりに並べ直しました（手で動かした席も席次の位置に戻りました）。"), messages.SUCCESS
            )
            return HttpResponseRedirect(request.path)
        form = SeatMoveForm(request.POST, editor=editor)
        if "move" not in request.POST:
            errors.append(_("移す人と席を選んでから「移動」を押してください。"))
        elif not form.is_valid():
            errors += [message for field_errors in form.errors.values() for message in field_errors]
        else:
            try:
                move = services.seat_move(
                    plan=services.seating_plan_ensure(meeting=meeting),
                    attendance=form.people[form.cleaned_data["attendance"]],
                    side=form.cleaned_data["side"],
                    position=form.cleaned_data["position"],
                )
            except ValidationError as error:
                errors += error.messages
            else:
                if move.changed:
                    model_admin.message_user(request, _moved_message(move), messages.SUCCESS)
                else:
                    model_admin.message_user(
                        request,
                        _("%(who)s は既に %(seat)s の席です。")
                        % {"who": present_label(move.attendance), "seat": seat_name(*move.seat)},
                        messages.INFO,
                    )
                return HttpResponseRedirect(request.path)
    return TemplateResponse(
        request,
        "admin/meetings/seating_editor.html",
        _context(model_admin, request, meeting, editor, may_change, errors),
        status=400 if errors else 200,
    )


def _context(model_admin, request, meeting: Meeting, editor: EditorChart, may_change: bool, errors: list[str]):
    seat_of = editor.seat_of
    choices = editor.choices()
    people = sorted((a for a, _s, _p in editor.placed), key=lambda a: a.protocol_order)
    rows = [
        {
            "attendance": a,
            "label": present_label(a),
            "seat": seat_key(*seat_of[a.pk]),
            "seat_name": seat_name(*seat_of[a.pk]),
        }
        for a in people
    ]
    plan = selectors.plan_of(meeting)
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Meeting._meta,
        "title": _("配席の編集: %(meeting)s") % {"meeting": meeting},
        "meeting": meeting,
        "layout_label": plan.get_layout_display() if plan else _("ロの字"),
        "editor": editor,
        "choices": choices,
        "rows": rows,
        "absentees": [a for a in meeting.attendances.all() if a.status == AttendanceStatus.ABSENT],
        "may_change": may_change,
        "errors": errors,
        "change_url": reverse("admin:meetings_meeting_change", args=[meeting.pk]),
        "pdf_url": reverse("meetings:seating_pdf", args=[meeting.pk]),
        "has_proxy": editor.chart.has_proxy,
        "has_online": editor.chart.has_online,
    }
