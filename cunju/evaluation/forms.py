import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from cunju.organizations.models import Organization
from cunju.organizations.picker import Offer, OrganizationField

from .models import Grade, Participant


def date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        initial=dt.date.today,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


class OpenRoundForm(forms.Form):
    branch = OrganizationField(label=_("Party branch"))
    year = forms.IntegerField(label=_("Year evaluated"), min_value=2000, max_value=2100)
    opened_on = date_field(
        _("Opened on"),
        help_text=_(
            "The branch's full and probationary members on this day take part; "
            "probationary members are not graded."
        ),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].source = Offer(user, kinds=(Organization.Kind.BRANCH,))


class SelfReviewForm(forms.Form):
    text = forms.CharField(label=_("Self-review"), widget=forms.Textarea(attrs={"rows": 6}))
    on = date_field(_("Date"))


class PeerReviewForm(forms.Form):
    reviewer = forms.ModelChoiceField(queryset=Participant.objects.none(), label=_("Reviewer"))
    text = forms.CharField(label=_("Comments"), widget=forms.Textarea(attrs={"rows": 4}))
    on = date_field(_("Date"))

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        # Those who left the branch since the opening write no more reviews
        # (``enter_peer_review`` refuses them): offering them would only lead to an error.
        self.fields["reviewer"].queryset = (
            Participant.objects.filter(round=participant.round, takes_part=True)
            .exclude(pk=participant.pk)
            .select_related("member")
        )


class TallyForm(forms.Form):
    excellent = forms.IntegerField(label=_("Excellent"), min_value=0, initial=0)
    qualified = forms.IntegerField(label=_("Qualified"), min_value=0, initial=0)
    basically_qualified = forms.IntegerField(label=_("Basically qualified"), min_value=0, initial=0)
    unqualified = forms.IntegerField(label=_("Unqualified"), min_value=0, initial=0)
    on = date_field(_("Date of the vote"))


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    on = date_field(_("Date of the committee decision"))


class CloseRoundForm(forms.Form):
    on = date_field(
        _("Closed on"),
        help_text=_("Each participant's result is entered on their timeline with this date."),
    )
