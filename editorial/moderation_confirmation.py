"""A moderator who approves or requests changes is told what happened, by page title.

Wagtail's workflow action view (the dashboard's and the status panel's "Approve" and
"Request changes") says nothing after the action, and the edit view's own workflow
buttons only say "updated". This middleware notes which task a POST to either view may
act on, and once the view has run, reads that task's outcome and leaves one message for
the page the moderator lands on.
"""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext
from wagtail.models import Page, TaskState, WorkflowState, get_default_page_content_type

from core.wagtail_internals import (
    EDIT_FORM_WORKFLOW_ACTION_FIELD,
    PAGE_EDIT_VIEW,
    PAGE_WORKFLOW_ACTION_VIEW,
)

_TASK_STATE_ATTRIBUTE = "_cac_task_state_acted_on"


def _task_state_a_post_may_act_on(request, view_kwargs) -> int | None:
    match = request.resolver_match
    view = (match.namespace, match.url_name) if match else None
    if view not in (PAGE_WORKFLOW_ACTION_VIEW, PAGE_EDIT_VIEW):
        return None
    if not request.user.is_authenticated:
        return None  # the view sends them to the login page
    if view == PAGE_WORKFLOW_ACTION_VIEW:
        task_state_id = view_kwargs.get("task_state_id")
    elif request.POST.get(EDIT_FORM_WORKFLOW_ACTION_FIELD):
        task_state_id = (
            TaskState.objects.filter(
                workflow_state__base_content_type_id=get_default_page_content_type().pk,
                workflow_state__object_id=str(view_kwargs.get("page_id")),
                workflow_state__status=WorkflowState.STATUS_IN_PROGRESS,
                status=TaskState.STATUS_IN_PROGRESS,
            )
            .values_list("pk", flat=True)
            .first()
        )
    else:
        return None
    in_progress = TaskState.objects.filter(
        pk=task_state_id, status=TaskState.STATUS_IN_PROGRESS
    ).exists()
    return task_state_id if in_progress else None


def moderation_outcome_message(task_state: TaskState) -> str | None:
    """What the moderator did to the page, in a sentence; None if the task is still open."""
    workflow_state = task_state.workflow_state
    page = Page.objects.filter(pk=workflow_state.object_id).first()
    if page is None:
        return None
    title = page.draft_title
    if task_state.status == TaskState.STATUS_REJECTED:
        return gettext("You requested changes to '%(title)s'. It goes back to its author.") % {
            "title": title
        }
    if task_state.status != TaskState.STATUS_APPROVED:
        return None
    if workflow_state.status == WorkflowState.STATUS_APPROVED:
        if page.live and not page.has_unpublished_changes:
            return gettext("You approved '%(title)s'. It is now published.") % {"title": title}
        return gettext("You approved '%(title)s'. It will be published as scheduled.") % {
            "title": title
        }
    next_task = workflow_state.current_task_state
    return gettext("You approved '%(title)s'. It now waits for '%(task)s'.") % {
        "title": title,
        "task": next_task.task.name if next_task else "",
    }


class ModerationConfirmationMiddleware:
    """Listed after MessageMiddleware, so the message is stored with this response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        task_state_id = getattr(request, _TASK_STATE_ATTRIBUTE, None)
        if task_state_id is not None and response.status_code < 400:
            task_state = (
                TaskState.objects.select_related(
                    "workflow_state", "workflow_state__current_task_state__task"
                )
                .filter(pk=task_state_id)
                .first()
            )
            message = moderation_outcome_message(task_state) if task_state else None
            if message:
                messages.success(request, message)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method == "POST":
            setattr(
                request, _TASK_STATE_ATTRIBUTE, _task_state_a_post_may_act_on(request, view_kwargs)
            )
        return None
