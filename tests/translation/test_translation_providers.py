"""Provider clients against local servers that speak each provider's documented API."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.translation.fakes import FakeDeepL, FakeGoogle, FakeLibreTranslate
from translation.providers import (
    DeepLProvider,
    GlossaryEntry,
    GoogleProvider,
    LibreTranslateProvider,
    ProviderError,
    provider_from_settings,
    retry_after_seconds,
    split_on_terms,
)

KEY = "secret-key-1234:fx"

GLOSSARY_KO_EN = [
    GlossaryEntry("방역", "quarantine / disease control"),
    GlossaryEntry("선별진료소", "screening clinic"),
    GlossaryEntry("자가격리", "self-quarantine"),
    GlossaryEntry("역학조사", "epidemiological investigation"),
    GlossaryEntry("생활 속 거리두기", "everyday-life distancing"),
    GlossaryEntry("거리두기", "distancing"),
    GlossaryEntry("재난지원금", "emergency relief fund"),
]


# Each provider as (fake, client, the provider's code for our "en" target, for "fr").
@pytest.fixture(params=["deepl", "google", "libretranslate"])
def pair(request):
    name = request.param
    if name == "deepl":
        with FakeDeepL(api_key=KEY) as fake:
            yield name, fake, DeepLProvider(api_key=KEY, base_url=fake.url), "EN-GB", "FR"
    elif name == "google":
        with FakeGoogle(api_key=KEY) as fake:
            yield name, fake, GoogleProvider(api_key=KEY, base_url=fake.url), "en", "fr"
    else:
        with FakeLibreTranslate(api_key=KEY) as fake:
            yield (
                name,
                fake,
                LibreTranslateProvider(api_key=KEY, base_url=fake.url),
                "en",
                "fr",
            )


def translate_requests(fake):
    return [r for r in fake.requests if r.method == "POST"]


# --- glossary splitting ----------------------------------------------------------------------


def test_split_on_terms_prefers_the_longest_term():
    pieces = split_on_terms("생활 속 거리두기와 거리두기", GLOSSARY_KO_EN)
    assert pieces == [
        ("everyday-life distancing", True),
        ("와 ", False),
        ("distancing", True),
    ]


def test_split_on_terms_without_glossary_keeps_the_text():
    assert split_on_terms("자가격리", []) == [("자가격리", False)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), ("1.5", 1.5), (None, None), ("", None), ("soon", None), ("-4", 0.0)],
)
def test_retry_after_seconds(value, expected):
    assert retry_after_seconds(value) == expected


def test_retry_after_http_date_in_the_past_is_zero():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


# --- the requests each client builds ---------------------------------------------------------


def test_deepl_request_shape():
    with FakeDeepL(api_key=KEY) as fake:
        provider = DeepLProvider(api_key=KEY, base_url=fake.url)
        result = provider.translate(["안녕하세요", "감사합니다"], source="ko", target="en")
    assert result == ["[EN-GB] 안녕하세요", "[EN-GB] 감사합니다"]
    (request,) = fake.requests
    assert request.method == "POST"
    assert request.path == "/v2/translate"
    assert request.headers["authorization"] == f"DeepL-Auth-Key {KEY}"
    assert request.headers["content-type"].startswith("application/json")
    assert request.body == {
        "text": ["안녕하세요", "감사합니다"],
        "source_lang": "KO",
        "target_lang": "EN-GB",
    }


def test_deepl_chooses_free_or_pro_host_from_the_key():
    assert DeepLProvider(api_key="abc:fx").endpoint == "https://api-free.deepl.com/v2/translate"
    assert DeepLProvider(api_key="abc").endpoint == "https://api.deepl.com/v2/translate"
    assert (
        DeepLProvider(api_key="abc", base_url="http://proxy:8080/").endpoint
        == "http://proxy:8080/v2/translate"
    )


@pytest.mark.parametrize(
    ("source", "target", "source_code", "target_code"),
    [
        ("ko", "zh-hans", "KO", "ZH-HANS"),
        ("en", "ko", "EN", "KO"),
        ("ko", "ar", "KO", "AR"),
        ("zh-hans", "ja", "ZH", "JA"),
        ("ko", "es", "KO", "ES"),
    ],
)
def test_deepl_language_codes(source, target, source_code, target_code):
    with FakeDeepL(api_key=KEY) as fake:
        DeepLProvider(api_key=KEY, base_url=fake.url).translate(["x"], source=source, target=target)
    assert fake.requests[0].body["source_lang"] == source_code
    assert fake.requests[0].body["target_lang"] == target_code


def test_google_request_shape():
    with FakeGoogle(api_key=KEY) as fake:
        provider = GoogleProvider(api_key=KEY, base_url=fake.url)
        result = provider.translate(["안녕하세요"], source="ko", target="zh-hans")
    assert result == ["[zh-CN] 안녕하세요"]
    (request,) = fake.requests
    assert request.method == "POST"
    assert request.path == "/language/translate/v2"
    assert request.headers["x-goog-api-key"] == KEY
    assert request.query == {}  # the key is not in the URL
    assert request.body == {
        "q": ["안녕하세요"],
        "source": "ko",
        "target": "zh-CN",
        "format": "text",
    }


def test_libretranslate_request_shape():
    with FakeLibreTranslate(api_key=KEY) as fake:
        provider = LibreTranslateProvider(api_key=KEY, base_url=fake.url)
        result = provider.translate(["hello", "world"], source="en", target="ko")
    assert result == ["[ko] HELLO", "[ko] WORLD"]
    (request,) = fake.requests
    assert (request.method, request.path) == ("POST", "/translate")
    assert request.body == {
        "q": ["hello", "world"],
        "source": "en",
        "target": "ko",
        "format": "text",
        "api_key": KEY,
    }


def test_libretranslate_without_key_sends_none():
    with FakeLibreTranslate(api_key="") as fake:
        LibreTranslateProvider(base_url=fake.url).translate(["hi"], source="en", target="fr")
    assert "api_key" not in fake.requests[0].body


@pytest.mark.parametrize("chinese", ["zh-Hans", "zh"])
def test_libretranslate_asks_the_server_for_its_chinese_code(chinese):
    with FakeLibreTranslate(api_key=KEY, chinese=chinese) as fake:
        provider = LibreTranslateProvider(api_key=KEY, base_url=fake.url)
        assert provider.translate(["hi"], source="en", target="zh-hans") == [f"[{chinese}] HI"]
        provider.translate(["again"], source="en", target="zh-hans")
    assert [r.path for r in fake.requests] == ["/languages", "/translate", "/translate"]
    assert fake.requests[1].body["target"] == chinese


def test_supports():
    deepl, google = DeepLProvider(api_key="k"), GoogleProvider(api_key="k")
    libre = LibreTranslateProvider(base_url="http://127.0.0.1:1")
    for provider in (deepl, google, libre):
        assert provider.supports("ko", "en")
        assert provider.supports("ko", "zh-hans")
        assert provider.supports("ar", "fr")
        assert not provider.supports("ko", "ko")
        assert not provider.supports("ko", "tlh")


def test_unsupported_pair_is_not_retryable_and_sends_nothing():
    with FakeDeepL(api_key=KEY) as fake, pytest.raises(ProviderError) as caught:
        DeepLProvider(api_key=KEY, base_url=fake.url).translate(["x"], source="ko", target="tlh")
    assert not caught.value.retryable
    assert fake.requests == []


# --- glossary and escaping, every provider ---------------------------------------------------


def test_glossary_terms_come_back_verbatim(pair):
    name, fake, provider, en, _fr = pair
    texts = [
        "선별진료소에서 검사 후 자가격리",
        "생활 속 거리두기 단계",
        "역학조사와 방역",
        "재난지원금 신청",
    ]
    result = provider.translate(texts, source="ko", target="en", glossary=GLOSSARY_KO_EN)
    assert result == [
        f"[{en}] screening clinic에서 검사 후 self-quarantine",
        f"[{en}] everyday-life distancing 단계",
        f"[{en}] epidemiological investigation와 quarantine / disease control",
        f"[{en}] emergency relief fund 신청",
    ]
    for text in result:
        assert "<" not in text and "translate" not in text and "&" not in text
    (request,) = translate_requests(fake)
    if name == "deepl":
        assert request.body["tag_handling"] == "xml"
        assert request.body["ignore_tags"] == ["x"]
        assert (
            request.body["text"][0] == "<x>screening clinic</x>에서 검사 후 <x>self-quarantine</x>"
        )
    else:
        assert request.body["format"] == "html"
        assert request.body["q"][1] == '<span translate="no">everyday-life distancing</span> 단계'


def test_segments_without_terms_are_sent_as_plain_text(pair):
    name, fake, provider, en, _fr = pair
    result = provider.translate(
        ["자가격리 안내", "hello <b> & bye"], source="ko", target="en", glossary=GLOSSARY_KO_EN
    )
    assert result == [f"[{en}] self-quarantine 안내", f"[{en}] HELLO <B> & BYE"]
    plain, marked = translate_requests(fake)
    if name == "deepl":
        assert "tag_handling" not in plain.body
        assert plain.body["text"] == ["hello <b> & bye"]
        assert marked.body["tag_handling"] == "xml"
    else:
        assert plain.body["format"] == "text"
        assert marked.body["format"] == "html"


def test_special_characters_survive_the_markup(pair):
    name, fake, provider, en, _fr = pair
    text = 'a < b && "자가격리" \'quoted\' > c &amp; <span translate="no">x</span>'
    (result,) = provider.translate([text], source="ko", target="en", glossary=GLOSSARY_KO_EN)
    expected = 'A < B && "self-quarantine" \'QUOTED\' > C &AMP; <SPAN TRANSLATE="NO">X</SPAN>'
    assert result == f"[{en}] {expected}"
    (request,) = translate_requests(fake)
    sent = request.body["text" if name == "deepl" else "q"][0]
    assert "&lt;span" in sent and "&amp;amp;" in sent


def test_newlines_survive_html_markup(pair):
    name, _fake, provider, en, _fr = pair
    (result,) = provider.translate(
        ["첫 줄 자가격리\n둘째 줄"], source="ko", target="en", glossary=GLOSSARY_KO_EN
    )
    assert result == f"[{en}] 첫 줄 self-quarantine\n둘째 줄"


def test_empty_strings_pass_through_without_a_request(pair):
    name, fake, provider, en, _fr = pair
    assert provider.translate(["", "  ", ""], source="ko", target="en") == ["", "  ", ""]
    assert translate_requests(fake) == []
    assert provider.translate(["", "하나", ""], source="ko", target="en") == [
        "",
        f"[{en}] 하나",
        "",
    ]
    assert translate_requests(fake)[0].body["text" if name == "deepl" else "q"] == ["하나"]


# --- batching --------------------------------------------------------------------------------


def test_batches_by_text_count_and_keeps_order(pair):
    name, fake, provider, en, _fr = pair
    texts = [f"t{i}" for i in range(300)]
    result = provider.translate(texts, source="ko", target="en")
    assert result == [f"[{en}] T{i}" for i in range(300)]
    sizes = [len(r.body["text" if name == "deepl" else "q"]) for r in translate_requests(fake)]
    assert sizes == {"deepl": [50] * 6, "google": [128, 128, 44], "libretranslate": [50] * 6}[name]


def test_batches_by_characters_and_mixes_glossary_segments_in_order(pair):
    name, fake, provider, en, _fr = pair
    long = "가" * 1800  # 1 800 characters, 5 400 UTF-8 bytes
    texts = [long, "자가격리 1", long, "둘", long, "자가격리 2", long]
    provider.max_chars = 4000 if name != "deepl" else 12_000
    result = provider.translate(texts, source="ko", target="en", glossary=GLOSSARY_KO_EN)
    assert result == [
        f"[{en}] {long}",
        f"[{en}] self-quarantine 1",
        f"[{en}] {long}",
        f"[{en}] 둘",
        f"[{en}] {long}",
        f"[{en}] self-quarantine 2",
        f"[{en}] {long}",
    ]
    key = "text" if name == "deepl" else "q"
    sizes = [len(r.body[key]) for r in translate_requests(fake)]
    # Plain segments first (long, long, 둘 | long, long), then the two glossary segments.
    assert sizes == [3, 2, 2]


def test_libretranslate_server_limits_are_honoured_when_configured():
    with FakeLibreTranslate(api_key=KEY, batch_limit=3, char_limit=20) as fake:
        provider = LibreTranslateProvider(api_key=KEY, base_url=fake.url)
        provider.max_texts, provider.max_chars = 3, 20
        result = provider.translate([f"text {i}" for i in range(7)], source="en", target="fr")
    assert result == [f"[fr] TEXT {i}" for i in range(7)]
    assert [len(r.body["q"]) for r in fake.requests] == [3, 3, 1]


# --- errors ----------------------------------------------------------------------------------


def test_429_is_retryable_with_retry_after(pair):
    _name, fake, provider, _en, _fr = pair
    fake.fail_next(429, retry_after="7")
    with pytest.raises(ProviderError) as caught:
        provider.translate(["하나"], source="ko", target="en")
    assert caught.value.retryable
    assert caught.value.retry_after == 7.0
    assert caught.value.status == 429
    # the next request goes through
    assert provider.translate(["하나"], source="ko", target="en") == [f"[{pair[3]}] 하나"]


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_retryable(pair, status):
    _name, fake, provider, _en, _fr = pair
    fake.fail_next(status)
    with pytest.raises(ProviderError) as caught:
        provider.translate(["하나"], source="ko", target="en")
    assert caught.value.retryable
    assert caught.value.retry_after is None
    assert caught.value.status == status


def test_403_is_not_retryable_and_hides_the_key(pair):
    _name, fake, provider, _en, _fr = pair
    fake.fail_next(403, message=f"key {KEY} was refused", retry_after="5")
    with pytest.raises(ProviderError) as caught:
        provider.translate(["하나"], source="ko", target="en")
    error = caught.value
    assert not error.retryable
    assert error.retry_after is None
    assert error.status == 403
    assert "403" in str(error) and provider.label in str(error)
    assert KEY not in str(error) and KEY not in repr(error.args)


def test_wrong_key_is_refused_by_the_fake_and_not_retryable(pair):
    name, fake, _provider, _en, _fr = pair
    cls = type(_provider)
    provider = cls(api_key="wrong-key", base_url=fake.url)
    with pytest.raises(ProviderError) as caught:
        provider.translate(["하나"], source="ko", target="en")
    assert not caught.value.retryable
    assert caught.value.status == {"deepl": 403, "google": 400, "libretranslate": 403}[name]
    assert "wrong-key" not in str(caught.value)


def test_deepl_456_quota_exceeded_is_not_retryable():
    with FakeDeepL(api_key=KEY) as fake:
        fake.fail_next(456)
        with pytest.raises(ProviderError) as caught:
            DeepLProvider(api_key=KEY, base_url=fake.url).translate(["x"], source="ko", target="en")
    assert not caught.value.retryable
    assert "456" in str(caught.value) and "Quota exceeded" in str(caught.value)


def test_google_per_minute_quota_403_is_retryable():
    with FakeGoogle(api_key=KEY) as fake:
        fake.fail_next_rate_limited()
        with pytest.raises(ProviderError) as caught:
            GoogleProvider(api_key=KEY, base_url=fake.url).translate(
                ["x"], source="ko", target="en"
            )
    assert caught.value.retryable
    assert caught.value.status == 403


def test_malformed_json_is_not_retryable(pair):
    _name, fake, provider, _en, _fr = pair
    fake.answer_next_raw(b"<html>gateway says hi</html>", content_type="text/html")
    with pytest.raises(ProviderError) as caught:
        provider.translate(["하나"], source="ko", target="en")
    assert not caught.value.retryable


def test_wrong_json_shape_is_not_retryable(pair):
    _name, fake, provider, _en, _fr = pair
    fake.answer_next_raw(b'{"unexpected": []}', content_type="application/json")
    with pytest.raises(ProviderError) as caught:
        provider.translate(["하나"], source="ko", target="en")
    assert not caught.value.retryable


def test_wrong_number_of_translations_is_not_retryable():
    with FakeDeepL(api_key=KEY) as fake:
        fake.answer_next_raw(
            b'{"translations": [{"text": "one"}]}', content_type="application/json"
        )
        with pytest.raises(ProviderError) as caught:
            DeepLProvider(api_key=KEY, base_url=fake.url).translate(
                ["a", "b"], source="ko", target="en"
            )
    assert not caught.value.retryable


def test_connection_refused_is_retryable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = DeepLProvider(api_key=KEY, base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(ProviderError) as caught:
        provider.translate(["x"], source="ko", target="en")
    assert caught.value.retryable
    assert KEY not in str(caught.value)


# --- settings --------------------------------------------------------------------------------


def configure(settings, provider="", key="", url=""):
    settings.MACHINE_TRANSLATION_PROVIDER = provider
    settings.MACHINE_TRANSLATION_API_KEY = key
    settings.MACHINE_TRANSLATION_URL = url


def test_no_provider_configured(settings):
    configure(settings)
    assert provider_from_settings() is None


def test_missing_settings_mean_no_provider(settings):
    del settings.MACHINE_TRANSLATION_PROVIDER
    assert provider_from_settings() is None


def test_deepl_from_settings(settings):
    configure(settings, "deepl", key="abc:fx")
    provider = provider_from_settings()
    assert isinstance(provider, DeepLProvider)
    assert provider.name == "deepl"
    assert provider.endpoint == "https://api-free.deepl.com/v2/translate"


def test_deepl_from_settings_with_url_override(settings):
    configure(settings, " DeepL ", key="abc", url="http://deepl-proxy:9000/")
    assert provider_from_settings().endpoint == "http://deepl-proxy:9000/v2/translate"


def test_google_from_settings(settings):
    configure(settings, "google", key="abc")
    provider = provider_from_settings()
    assert isinstance(provider, GoogleProvider)
    assert provider.endpoint == "https://translation.googleapis.com/language/translate/v2"


def test_libretranslate_from_settings(settings):
    configure(settings, "libretranslate", url="http://translate:5000")
    provider = provider_from_settings()
    assert isinstance(provider, LibreTranslateProvider)
    assert provider.base_url == "http://translate:5000"
    assert provider.api_key == ""


@pytest.mark.parametrize("name", ["deepl", "google"])
def test_key_is_required(settings, name):
    configure(settings, name)
    with pytest.raises(ImproperlyConfigured, match="MACHINE_TRANSLATION_API_KEY"):
        provider_from_settings()


def test_libretranslate_requires_url(settings):
    configure(settings, "libretranslate", key="abc")
    with pytest.raises(ImproperlyConfigured, match="MACHINE_TRANSLATION_URL"):
        provider_from_settings()


def test_unknown_provider(settings):
    configure(settings, "babelfish", key="abc")
    with pytest.raises(ImproperlyConfigured, match="babelfish"):
        provider_from_settings()


def test_url_must_be_http(settings):
    configure(settings, "libretranslate", url="translate:5000")
    with pytest.raises(ImproperlyConfigured, match="http"):
        provider_from_settings()


def test_provider_from_settings_talks_to_the_fake(settings):
    with FakeLibreTranslate(api_key=KEY) as fake:
        configure(settings, "libretranslate", key=KEY, url=fake.url)
        result = provider_from_settings().translate(
            ["자가격리 해제"], source="ko", target="en", glossary=GLOSSARY_KO_EN
        )
    assert result == ["[en] self-quarantine 해제"]
