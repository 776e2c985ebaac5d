"""Generated hostile input: Hypothesis strategies for query strings and form posts, and a
reader of the admin's forms so that every form is posted with the fields it really has."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from hypothesis import strategies as st

# Values that have broken web applications: huge, negative and non-integer numbers, NUL
# bytes, markup, query syntax, path tricks, right-to-left marks, very long text.
HOSTILE_VALUES = (
    "",
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "-0",
    "00000000001",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "340282366920938463463374607431768211456",
    "1e30",
    "1.5",
    "NaN",
    "inf",
    "0x1F",
    "true",
    "null",
    "None",
    "[]",
    "{}",
    '{"blocks": [}',
    "' OR 1=1 --",
    '") OR ("1"="1',
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "../../../../etc/passwd",
    "%00",
    "%",
    "\\",
    "*",
    "AND OR NOT",
    '"unclosed phrase',
    "\u202eevil",
    "\ud7ff\ue000\uffff",
    "😷" * 40,
    "마스크 " * 200,
    "x" * 20_000,
)


def hostile_values(ids: list[int]) -> st.SearchStrategy[str]:
    """A value for any field or parameter. `ids` are objects the user may not choose."""
    return st.one_of(
        st.sampled_from(HOSTILE_VALUES),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(ids or [0]).map(str),
    )


def query_strings(names: tuple[str, ...], ids: list[int]) -> st.SearchStrategy[list]:
    """A query string as (name, value) pairs: known names, odd names, repeated names."""
    name = st.one_of(st.sampled_from(names or ("q",)), st.text(min_size=1, max_size=12))
    return st.lists(st.tuples(name, hostile_values(ids)), max_size=6)


# ---------------------------------------------------------------------------
# The admin's forms
# ---------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> default values
    options: dict[str, list[str]] = field(default_factory=dict)  # select name -> choices
    files: set[str] = field(default_factory=set)


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self._form = Form(action=attrs.get("action") or "")
                self.forms.append(self._form)
            else:
                self._form = None
            return
        form, name = self._form, attrs.get("name")
        if form is None or not name or "__prefix__" in name:
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind == "file":
                form.files.add(name)
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                form.fields.setdefault(name, [])
                return
            form.fields.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, [])
            form.options.setdefault(name, [])
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            form.options[self._select].append(value)
            if "selected" in attrs:
                form.fields[self._select].append(value)
        elif tag == "textarea":
            self._textarea = name
            form.fields.setdefault(name, [""])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form.fields[self._textarea] = [data.lstrip("\n")]


def main_post_form(html: str) -> Form | None:
    """The page's biggest POST form, leaving out sign-out and other one-button forms."""
    reader = _FormReader()
    reader.feed(html)
    forms = [form for form in reader.forms if "logout" not in form.action]
    return max(forms, key=lambda form: len(form.fields), default=None)


ID_HINTS = ("document", "page", "image", "collection", "parent", "related", "city", "cities")


def looks_like_an_id(name: str) -> bool:
    tail = name.rsplit("-", 1)[-1]
    return tail == "id" or tail.endswith("_id") or any(hint in tail for hint in ID_HINTS)


@st.composite
def hostile_posts(draw, form: Form, ids: list[int]) -> dict[str, list[str]]:
    """The form as the page filled it in, with some fields changed to hostile values, some
    management fields dropped, and sometimes an extra attachment row naming a forbidden id."""
    data = {name: list(values) for name, values in form.fields.items()}
    names = sorted(data)
    if names:
        for name in draw(st.lists(st.sampled_from(names), max_size=4, unique=True)):
            if looks_like_an_id(name) and draw(st.booleans()):
                data[name] = [str(draw(st.sampled_from(ids or [0])))]
            else:
                data[name] = [draw(hostile_values(ids))]
        management = [name for name in names if name.endswith(("-count", "-TOTAL_FORMS"))]
        for name in draw(st.lists(st.sampled_from(management or ["-"]), max_size=2, unique=True)):
            data.pop(name, None)
    if draw(st.booleans()) and ids:
        # Another attachment row, as a hand-made POST would add it.
        data["attachments-99-document"] = [str(draw(st.sampled_from(ids)))]
        data["attachments-TOTAL_FORMS"] = [draw(st.sampled_from(["100", "1", "-5", "x"]))]
    return data
