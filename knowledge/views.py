"""Public views that are not Wagtail pages. Thin: the work lives in the services they call."""

from django.http import HttpResponse


def topic_area_list(request):
    return HttpResponse("todo")


def topic_area_detail(request, slug):
    return HttpResponse("todo")


def city_detail(request, slug):
    return HttpResponse("todo")


def open_data(request):
    return HttpResponse("todo")


def open_data_download(request, export_format):
    return HttpResponse("todo")
