from django.http import HttpResponse


def _todo(request, **kwargs):
    return HttpResponse("todo")


report_list = report_readable = report_short = version_detail = report_edit = _todo
place_detail = source_download = upload = _todo
