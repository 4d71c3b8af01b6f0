"""Reads of the spreadsheets app."""

from django.shortcuts import get_object_or_404

from .models import ImportJob


def job_list(*, user):
    return ImportJob.objects.filter(user=user).select_related("region").defer("result")


def job_for(*, user, pk):
    return get_object_or_404(ImportJob.objects.select_related("region"), user=user, pk=pk)
