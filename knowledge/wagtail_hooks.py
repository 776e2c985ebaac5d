"""What the public may be served: pages under a published branch, files a visible page uses."""

from django.http import Http404
from wagtail import hooks
from wagtail.documents.permissions import permission_policy as document_permission_policy

from knowledge.public_media import is_servable_document


@hooks.register("before_serve_page")
def hide_pages_under_unpublished_ancestors(page, request, serve_args, serve_kwargs):
    # Wagtail routes to a live child even when its parent was unpublished; the public
    # never sees a branch an editor took down. View restrictions are Wagtail's own hook.
    if page.get_ancestors().filter(live=False, depth__gt=1).exists():
        raise Http404


@hooks.register("before_serve_document")
def serve_only_public_documents(document, request):
    # A file attached only to a draft (a rapporteur's unsubmitted slides, say) stays private
    # to the people who may edit it.
    user = request.user
    if user.is_authenticated and document_permission_policy.user_has_any_permission_for_instance(
        user, ["change", "choose"], document
    ):
        return None
    if not is_servable_document(document):
        raise Http404
    return None
