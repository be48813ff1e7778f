from django.shortcuts import render

from . import selectors


def working_group_list(request):
    return render(request, "workgroups/working_group_list.html", {"working_groups": selectors.working_groups_for_list()})
