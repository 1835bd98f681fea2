"""Response headers as the plugins' ASGI wrappers set them (plugins/public_site.py,
static_cors.py, downloads.py, assets.py)."""


def with_header(event, name, value):
    """An http.response.start event with the header `name` (bytes, lower case) set to
    value: any the response had under that name, in whatever case, is dropped."""
    headers = [(k, v) for k, v in event.get("headers", []) if k.lower() != name]
    return {**event, "headers": headers + [(name, value)]}


def sending_with_header(send, name, value):
    """An ASGI send that passes every event on to send, the response's start with the
    header `name` set to value (with_header)."""

    async def send_with_header(event):
        if event["type"] == "http.response.start":
            event = with_header(event, name, value)
        await send(event)

    return send_with_header
