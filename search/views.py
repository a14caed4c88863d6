from django.http import HttpResponse


def search_page(request):
    return HttpResponse("search coming")
