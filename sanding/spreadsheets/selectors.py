"""Reads of the spreadsheets app."""

from .models import ImportJob


def job_list(*, user):
    return ImportJob.objects.filter(user=user).select_related("region").defer("result")


def job_for(*, user, pk):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ImportJob.objects.select_related("region"), user=user, pk=pk)
