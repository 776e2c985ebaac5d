"""Image files under MEDIA_URL, in every environment: originals and renditions of public
images to anyone, the others only to those who may choose or edit them in the admin.

Wagtail writes originals to original_images/ and renditions to images/. The file is found by
the name in its URL (an indexed column, migration 0006), never opened by that name: a name no
image row has answers 404, as does an image the visitor may not see, so its existence stays
hidden. Documents are never served from here: only Wagtail's serve view, with its privacy
checks, reaches MEDIA_ROOT/documents.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import Storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from wagtail.images import get_image_model
from wagtail.images.permissions import permission_policy as image_permission_policy

from knowledge.public_media import is_public_image

ORIGINALS = "original_images"
RENDITIONS = "images"
# The types of WAGTAILIMAGES_EXTENSIONS (raster only), by the extension of the stored name.
CONTENT_TYPES = {
    "avif": "image/avif",
    "gif": "image/gif",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}


def _stored_name(folder: str, path: str) -> str | None:
    """`folder/path` when `path` is a plain relative name; None for anything a file name on
    this site never is (a NUL byte, a backslash, an absolute path, an empty, `.` or `..` part)."""
    if not path or "\x00" in path or "\\" in path or path.startswith("/"):
        return None
    if any(part in ("", ".", "..") for part in path.split("/")):
        return None
    return f"{folder}/{path}"


def _find(folder: str, name: str):
    """(the image, the storage of its file) for a stored file name, or (None, None)."""
    Image = get_image_model()
    if folder == ORIGINALS:
        image = Image.objects.select_related("collection").filter(file=name).first()
        return (image, image.file.storage) if image else (None, None)
    rendition = (
        Image.get_rendition_model()
        .objects.select_related("image__collection")
        .filter(file=name)
        .first()
    )
    return (rendition.image, rendition.file.storage) if rendition else (None, None)


def _may_see_unpublished(user, image) -> bool:
    """Editors see thumbnails of every image they may choose or edit, used or not."""
    return (
        user.is_authenticated
        and user.has_perm("wagtailadmin.access_admin")
        and image_permission_policy.user_has_any_permission_for_instance(
            user, ["choose", "change"], image
        )
    )


def _file_response(request, storage: Storage, name: str, content_type: str) -> HttpResponse:
    try:
        modified = int(storage.get_modified_time(name).timestamp())
        size = storage.size(name)
    except (OSError, NotImplementedError) as missing:
        raise Http404 from missing
    etag = f'"{size:x}-{modified:x}"'
    # 304 Not Modified (or 412) when the request's conditions say so.
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None and settings.MEDIA_ACCEL_REDIRECT_PREFIX:
        # nginx sends the file from its internal location, keeping these headers.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT_PREFIX + quote(name)
    elif response is None:
        # gunicorn hands the open file to sendfile (wsgi.file_wrapper).
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    return response


@require_safe
def serve_image_file(request, folder: str, path: str) -> HttpResponse:
    name = _stored_name(folder, path)
    if name is None:
        raise Http404
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    allowed = {allowed.lower() for allowed in settings.WAGTAILIMAGES_EXTENSIONS}
    content_type = CONTENT_TYPES.get(extension) if extension in allowed else None
    if content_type is None:
        raise Http404
    image, storage = _find(folder, name)
    if image is None:
        raise Http404
    # The public answer never reads the session: no Vary: Cookie, so any cache may keep it.
    if is_public_image(image):
        cache_control = f"public, max-age={settings.IMAGE_CACHE_MAX_AGE}"
    elif _may_see_unpublished(request.user, image):
        cache_control = "private, no-cache"
    else:
        raise Http404
    response = _file_response(request, storage, name, content_type)
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response
