"""Error pages in the site's own layout, Chinese first (templates/errors/status.html).

Django's handlers for 404 and 500 are replaced by these so that every error a reader meets
looks like the archive, not like a framework. `error_page()` is also what the middleware's
429 and 503 answers use; it renders without the request (no session, no user), because the
database may be the thing that is down, and falls back to a bare page if even the template
cannot be rendered.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape

log = logging.getLogger(__name__)

TITLES = {
    400: ("请求有误", "Bad request"),
    404: ("页面不存在", "Page not found"),
    410: ("已撤回", "Gone"),
    429: ("请求过于频繁", "Too many requests"),
    500: ("服务器出错", "Server error"),
    503: ("暂时无法服务", "Service unavailable"),
}

MESSAGES = {
    404: "找不到这个地址。永久链接不会失效：请检查拼写，或从检索页重新查找。"
    "No page at this address; permalinks never break, so check the address or search again.",
    500: "服务器处理请求时出错，已记录在日志中，请稍后再试。"
    "Something went wrong on our side; it has been logged. Please try again shortly.",
}


def error_page(status: int, message: str = "", *, retry_after: int | None = None) -> HttpResponse:
    title_zh, title_en = TITLES.get(status, ("出错了", "Error"))
    context = {
        "status": status,
        "title_zh": title_zh,
        "title_en": title_en,
        "message": message or MESSAGES.get(status, ""),
        "retry_after": retry_after,
    }
    try:
        body = render_to_string("errors/status.html", context)
    except Exception:  # the error page itself must never fail
        log.exception("error page %s could not be rendered", status)
        body = (
            f'<!doctype html><html lang="zh-hans"><meta charset="utf-8">'
            f"<title>{status}</title><h1>{status} {title_zh} {title_en}</h1>"
            f"<p>{escape(context['message'])}</p></html>"
        )
    response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(500)
