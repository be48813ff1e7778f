from django import forms

from onechoice.concurrency import VersionTokenFormMixin
from onechoice.models import Department, Organization

from .models import Proposal


class ProposalForm(VersionTokenFormMixin, forms.ModelForm):
    """The officer's draft: the texts as the 協議事項 prints an item, and suggestions."""

    class Meta:
        model = Proposal
        fields = [
            "title",
            "goal",
            "current_situation",
            "issues",
            "concrete_measures",
            "expected_effects",
            "targets",
            "target_note",
            "department",
            "department_note",
        ]
        widgets = {
            "targets": forms.CheckboxSelectMultiple,
            **{
                name: forms.Textarea(attrs={"rows": 4})
                for name in ("goal", "current_situation", "issues", "concrete_measures", "expected_effects")
            },
        }
        help_texts = {
            "goal": "1行に1件。行頭の「・」は不要です。",
            "concrete_measures": "1行に1件。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].queryset = Organization.objects.municipalities().order_by("protocol_order")
        self.fields["department"].queryset = Department.objects.order_by("protocol_order")
        self.fields["department"].empty_label = "（選ばない）"
        for name in ("title", "target_note", "department_note"):
            self.fields[name].widget.attrs.setdefault("size", 40)


class AttachmentForm(forms.Form):
    title = forms.CharField(label="資料名", max_length=200)
    file = forms.FileField(
        label="PDFファイル", help_text="PDFのみ。大きすぎるファイルやスクリプトを含むファイルは受け付けません。"
    )
