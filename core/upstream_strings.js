// Wagtail's admin scripts' strings that its Korean catalogue (djangojs) leaves out.
// Never loaded: `makemessages -d djangojs` reads this file so that
// locale/<lang>/LC_MESSAGES/djangojs.po holds them; Django's JavaScriptCatalog adds
// LOCALE_PATHS last, so our translation is the one the admin's scripts show.
// The Python and template strings are in core/upstream_strings.py.
/* global gettext, ngettext */
const UPSTREAM_SCRIPT_STRINGS = [
  gettext('(%(number)s new items in this menu)'),
  gettext('(1 new item in this menu)'),
  gettext('(New)'),
  ngettext('%(num)s error', '%(num)s errors', 0),
  ngettext('%(num)s min', '%(num)s mins', 0),
  ngettext('%(num)s pixel', '%(num)s pixels', 0),
  gettext('%(time_zone_option)s: %(localized_time_zone_label)s'),
  gettext('A network error occurred.'),
  gettext('A server error occurred.'),
  gettext('Autosave in progress…'),
  gettext('Blocks'),
  gettext('Changes have been autosaved.'),
  gettext('Character count:'),
  gettext('Complex'),
  gettext('Enter your comments...'),
  gettext('Enter your reply...'),
  gettext('Error while sending preview data.'),
  gettext('Fair'),
  gettext('Good'),
  gettext('Insert a block'),
  gettext('Search options…'),
  gettext('Toggle section'),
  gettext('Write something or type ‘/’ to insert a block'),
];
