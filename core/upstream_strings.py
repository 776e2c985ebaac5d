"""Wagtail's and wagtail-localize's own admin strings that their Korean catalogues leave out.

Never imported: `makemessages` reads this file so that locale/<lang>/LC_MESSAGES/django.po
holds these msgids, and LOCALE_PATHS comes before the packages' own catalogues, so our
translation is the one the admin shows. Each is a string a Korean editor saw in English on a
screen of the admin (tests/translation/test_admin_in_korean.py renders those screens). The
last group replaces Korean translations that read wrongly where our workflow names go in.
On a Wagtail upgrade, drop the strings its catalogue now translates.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

UPSTREAM_STRINGS = (
    gettext_noop("Wagtail %(current_version)s editor guide"),
    gettext_noop("Privacy and access"),
    gettext_noop("Request changes"),
    gettext_noop("Approve with comment"),
    gettext_noop("Close dialog"),
    gettext_noop("Search all pages…"),
    ngettext_lazy(
        "%(num_parent_objects)d page",
        "%(num_parent_objects)d pages",
    ),
    ngettext_lazy(
        "%(num_pages)d page",
        "%(num_pages)d pages",
    ),
    gettext_noop("Edit account avatar"),
    gettext_noop("Toggle section"),
    gettext_noop("Page types usage"),
    gettext_noop("Translations"),
    gettext_noop("What's new in Wagtail %(version)s"),
    gettext_noop("Filter by"),
    gettext_noop("Date updated"),
    gettext_noop("Edited by"),
    ngettext_lazy(
        "%(num_child_objects)d child page",
        "%(num_child_objects)d child pages",
    ),
    gettext_noop("Has child pages"),
    gettext_noop("Page type"),
    gettext_noop("Any"),
    gettext_noop("Side panel width"),
    gettext_noop("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s"),
    gettext_noop("Show filters"),
    gettext_noop("Side panels"),
    gettext_noop("More options for '%(title)s'"),
    gettext_noop("%(site_setting)s for %(site)s"),
    gettext_noop("Status: "),
    gettext_noop("No publishing schedule set"),
    gettext_noop("Locale: "),
    gettext_noop("Available in %(translations_total)s locales"),
    gettext_noop("Locking: "),
    gettext_noop("Anyone can edit this %(model_name)s"),
    ngettext_lazy(
        "Referenced %(count)s time",
        "Referenced %(count)s times",
    ),
    gettext_noop("Translate this page"),
    gettext_noop("in moderation"),
    gettext_noop("Saved"),
    gettext_noop("Autosave is paused"),
    gettext_noop("Autosave is <span>paused</span>"),
    gettext_noop("Set schedule"),
    gettext_noop("Anyone can edit this %(model_name)s – lock it to prevent others from editing"),
    gettext_noop("Loading"),
    gettext_noop("Preview is out of date"),
    gettext_noop("Correct the validation errors to resume preview (saving will highlight errors)"),
    gettext_noop("Checks"),
    gettext_noop("Content metrics"),
    gettext_noop("Words"),
    gettext_noop("Reading time"),
    gettext_noop("Readability"),
    gettext_noop("This data explained"),
    gettext_noop("Issues found"),
    gettext_noop("Toggle checks"),
    gettext_noop("Minimap"),
    gettext_noop("Preview in new tab"),
    gettext_noop("Show issue"),
    gettext_noop("Actions (footer)"),
    gettext_noop("Choose another"),
    gettext_noop("Sent to %(task_name)s %(started_at)s"),
    gettext_noop(
        "Reviewers can edit this %(model_name)s – lock it to prevent other reviewers from editing"
    ),
    gettext_noop("To be created by %(user)s"),
    gettext_noop("Is commenting action"),
    gettext_noop("Workflow: start"),
    gettext_noop("'%(workflow)s' started. Next step '%(task)s'"),
    gettext_noop("system"),
    gettext_noop("page log entries"),
    gettext_noop("In progress"),
    gettext_noop("Workflow state"),
    gettext_noop("Compare"),
    gettext_noop("Sort by '%(label)s' in ascending order."),
    gettext_noop("Instances"),
    gettext_noop("Sort by '%(label)s' in descending order."),
    gettext_noop("Delete selected snippets"),
    gettext_noop("New: %(model_name)s"),
    gettext_noop("There are no %(model_name)s to display."),
    gettext_noop("Usage count"),
    gettext_noop("Minimum"),
    gettext_noop("Maximum"),
    gettext_noop("Maximum filesize: %(max_upload_size)s."),
    gettext_noop("Title: (A -> Z)"),
    gettext_noop("Title: (Z -> A)"),
    gettext_noop("File size: (low to high)"),
    gettext_noop("File size: (high to low)"),
    gettext_noop("Usage count: (low to high)"),
    gettext_noop("Usage count: (high to low)"),
    gettext_noop("Grid layout"),
    gettext_noop("List layout"),
    ngettext_lazy(
        "Add tags to 1 image",
        "Add tags to %(counter)s images",
    ),
    gettext_noop("Add tags to the selected images"),
    gettext_noop("Add selected images to collection"),
    ngettext_lazy(
        "Delete 1 image",
        "Delete %(counter)s images",
    ),
    gettext_noop("Delete selected images"),
    gettext_noop("By task"),
    gettext_noop("Approved"),
    gettext_noop("Needs changes"),
    gettext_noop("Cancelled"),
    gettext_noop("Page/Snippet"),
    gettext_noop("By workflow"),
    gettext_noop("Rejected"),
    gettext_noop("Skipped"),
    gettext_noop("Rename"),
    gettext_noop("Copy for translation"),
    gettext_noop("model log entries"),
    gettext_noop("App"),
    gettext_noop("There are no results."),
    gettext_noop("Use server language: %(language_name)s"),
    gettext_noop("System default"),
    gettext_noop("Light"),
    gettext_noop("Dark"),
    gettext_noop("More contrast"),
    gettext_noop("Snug"),
    gettext_noop("Keyboard shortcuts"),
    gettext_noop("Keyboard shortcut"),
    gettext_noop("Enable custom keyboard shortcuts specific to Wagtail."),
    gettext_noop(
        "Receive notification when comments have been created, resolved, or deleted on a "
        "page that you have subscribed to receive comment notifications on"
    ),
    gettext_noop("Show disabled"),
    gettext_noop("Group approval task"),
    gettext_noop("Last login"),
    gettext_noop("Access level"),
    gettext_noop("Set active state"),
    gettext_noop("Delete selected users"),
    gettext_noop("Change the active state for selected users"),
    gettext_noop("Assign role to selected users"),
    gettext_noop("Import redirects"),
    ngettext_lazy(
        "This %(model_name)s is referenced %(usage_count)s time.",
        "This %(model_name)s is referenced %(usage_count)s times.",
    ),
    gettext_noop("Locked by workflow"),
    gettext_noop("Only reviewers can edit and approve the %(model_name)s"),
    gettext_noop(
        "Pages/snippets at this step in a workflow will be moderated or approved by "
        "these groups of users"
    ),
    gettext_noop("at %(time)s by %(user_display_name)s"),
    gettext_noop("Select a new parent for this page."),
    gettext_noop("Private, accessible with a shared password"),
    gettext_noop("shared password"),
    gettext_noop("Private, accessible to any logged-in users"),
    gettext_noop(
        "Shared passwords should not be used to protect sensitive content. Anyone who "
        "has this password will be able to view the content."
    ),
    gettext_noop("Layout"),
    gettext_noop("You haven't uploaded any images."),
    gettext_noop("Your pages and snippets in a workflow"),
    gettext_noop("This %(model_name)s is currently awaiting moderation."),
    gettext_noop("Only reviewers for this task can edit the %(model_name)s."),
    gettext_noop("Go to the first error"),
    gettext_noop("Task state"),
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
    ),
    gettext_noop(
        'Why not <a class="create-one-now" href="#tab-new" '
        'data-action="w-tabs#select:prevent" data-w-tabs-target="trigger" '
        'data-w-tabs-focus-param="true">create one now</a>?'
    ),
    gettext_noop("Exploring"),
    gettext_noop(
        'Why not <a class="upload-one-now" href="#tab-upload" '
        'data-action="w-tabs#select:prevent" data-w-tabs-target="trigger" '
        'data-w-tabs-focus-param="true">upload one now</a>?'
    ),
    ngettext_lazy(
        '%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>',
    ),
    ngettext_lazy(
        '%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>',
    ),
    gettext_noop("Workflow: cancel"),
    gettext_noop("Cancelled '%(workflow)s' at '%(task)s'"),
    gettext_noop("Draft saved"),
    gettext_noop("A network error occurred"),
    gettext_noop(
        "Troubleshoot your connection to the site before proceeding. Open the editor in "
        "a separate tab to view the last saved version."
    ),
    gettext_noop("View latest version"),
    gettext_noop("Anyone with editing permissions can create schedules"),
    gettext_noop("But only those with publishing permissions can make them effective."),
    gettext_noop("Set publishing schedule"),
    gettext_noop("Choose when this %(model_name)s should go live and/or expire"),
    gettext_noop("Choose when this page should go live and/or expire"),
    gettext_noop("Save schedule"),
    gettext_noop("All keyboard shortcuts"),
    gettext_noop("Section"),
    gettext_noop("Application"),
    gettext_noop("Show keyboard shortcuts"),
    gettext_noop("Toggle minimap"),
    gettext_noop("Close modal dialogs (like this one)"),
    gettext_noop("Add or show comments"),
    gettext_noop("Text editing"),
    gettext_noop("Paste without formatting"),
    gettext_noop("Text formatting"),
    gettext_noop("Insert or edit a link"),
    gettext_noop("Monospace (code)"),
    gettext_noop("Strike-through"),
    gettext_noop(
        "Keyboard shortcuts are currently enabled; manage your %(account_link)s to disable them."
    ),
    gettext_noop("Choose who can view the live version of this page"),
    gettext_noop("How we calculate our metrics"),
    gettext_noop(
        "We extract the main content from the page preview, remove all formatting, and "
        "calculate the number of words."
    ),
    gettext_noop(
        "We calculate reading time from word count, using different reading speeds for "
        "different languages."
    ),
    gettext_noop(
        "We use a readability formula based on length of words and sentences. Long "
        "sentences and words result in a worse readability score."
    ),
    gettext_noop(
        'See our <a href="%(guide_link)s" target="_blank">content checks guide</a> '
        "for more information on how content metrics are calculated."
    ),
    gettext_noop("There are validation errors, click save to highlight them."),
    gettext_noop("%(time)s by %(user_display_name)s"),
    gettext_noop("just now"),
    gettext_noop("Workflow states"),
    gettext_noop("admin theme"),
    gettext_noop(
        'There are no %(model_name)s to display. Why not <a href="%(add_url)s">add one</a>?'
    ),
)

# Korean translations that read wrongly once a workflow's or task's name is put in.
RETRANSLATED = (
    gettext_noop("Submit to %(workflow_name)s"),
    gettext_noop("Resubmit to %(task_name)s"),
    gettext_noop("%(label)s and Publish"),
    gettext_noop("Awaiting your review"),
)
