"""A deterministic, practice-like corpus for the search benchmarks, in English and Korean.

The vocabulary comes from the project's own data: sentences of the demo practices
(sitedata/data/demo_practices.jsonl), the ten topic areas and the summit sessions
(sitedata/data/summit_2020.toml) and the shipped synonym list (search/resources/synonyms.txt),
recombined with per-topic templates so that terms vary as they do in real practices: Korean
sentences carry particles on compound nouns (자가격리자는, 방역수칙을), English ones name cities,
districts, months and figures, and a few rare terms appear in about one document in 400.

Translation groups: about 60% English only, 30% an English practice and its Korean
translation, 10% Korean only. Bodies are 150-400 words in 2-5 paragraphs, start dates fall in
2020-2021. The same seed and count always give the same documents, and a shorter corpus is a
prefix of a longer one, so 1k, 10k and 100k share their first documents.
"""

from __future__ import annotations

import json
import random
import re
import tomllib
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_PRACTICES = PROJECT_ROOT / "sitedata" / "data" / "demo_practices.jsonl"
PROGRAMME = PROJECT_ROOT / "sitedata" / "data" / "summit_2020.toml"
SYNONYMS = PROJECT_ROOT / "search" / "resources" / "synonyms.txt"

KINDS = ["countermeasure", "case_study", "guideline", "briefing_note", "dataset", "news"]
KIND_WEIGHTS = [30, 30, 15, 10, 5, 10]
# (English name, ISO code, Korean name, weight): Korean cities dominate, as on the platform.
CITIES = [
    ("Seoul", "KR", "서울", 30),
    ("Busan", "KR", "부산", 5),
    ("Daegu", "KR", "대구", 5),
    ("Goyang", "KR", "고양", 3),
    ("Incheon", "KR", "인천", 3),
    ("Tokyo", "JP", "도쿄", 3),
    ("Taipei", "TW", "타이베이", 3),
    ("Jakarta", "ID", "자카르타", 3),
    ("Bangkok", "TH", "방콕", 2),
    ("Hanoi", "VN", "하노이", 2),
    ("Moscow", "RU", "모스크바", 3),
    ("Milan", "IT", "밀라노", 3),
    ("Paris", "FR", "파리", 3),
    ("Barcelona", "ES", "바르셀로나", 2),
    ("Berlin", "DE", "베를린", 2),
    ("Lisbon", "PT", "리스본", 2),
    ("Bogota", "CO", "보고타", 2),
    ("Lima", "PE", "리마", 2),
    ("Quito", "EC", "키토", 1),
    ("Nairobi", "KE", "나이로비", 2),
    ("Accra", "GH", "아크라", 1),
    ("Melbourne", "AU", "멜버른", 2),
    ("Ulaanbaatar", "MN", "울란바토르", 1),
    ("Kathmandu", "NP", "카트만두", 1),
]
DISTRICTS = [
    ("Jongno", "종로구"),
    ("Mapo", "마포구"),
    ("Gwanak", "관악구"),
    ("Gangnam", "강남구"),
    ("Seongdong", "성동구"),
    ("Nowon", "노원구"),
    ("Eunpyeong", "은평구"),
    ("Guro", "구로구"),
    ("Songpa", "송파구"),
    ("Dongjak", "동작구"),
]
MONTHS = "January February March April May June July August September October November December"
MONTHS = MONTHS.split()
# Terms in about one document in 400 each, for the "rare term" query.
RARE_TERMS = [
    "wastewater surveillance",
    "thermographic cameras",
    "ultraviolet disinfection robots",
    "negative-pressure ambulances",
    "hackathon",
    "telemedicine kiosks",
]

# What practices of each topic area do, in English and Korean: the templates' objects.
TOPIC_OBJECTS = {
    "quarantine": (
        [
            "drive-through screening clinics",
            "walk-through screening booths",
            "contact tracing teams",
            "self-quarantine relief kits",
            "face masks",
            "temperature checks",
            "safety apps for people in self-isolation",
            "community treatment centres",
            "everyday-life distancing guidelines",
            "epidemiological investigation teams",
            "public health centres",
            "coronavirus testing",
        ],
        [
            "선별진료소",
            "워크스루 선별진료소",
            "역학조사",
            "자가격리자 구호물품",
            "마스크",
            "발열 검사",
            "자가격리자 안전보호 앱",
            "생활치료센터",
            "생활 속 거리두기",
            "방역수칙",
            "보건소",
            "코로나19 검사",
        ],
    ),
    "climate-environment": (
        [
            "the Green New Deal",
            "energy retrofits of public buildings",
            "solar panels on apartment balconies",
            "urban forests",
            "low-emission zones",
            "waste reduction campaigns",
        ],
        [
            "그린뉴딜",
            "건물 에너지 효율화",
            "베란다 태양광",
            "도시숲",
            "녹색교통지역",
            "쓰레기 줄이기",
        ],
    ),
    "smart-city": (
        [
            "an AI call centre",
            "public Wi-Fi",
            "a COVID-19 data dashboard",
            "big data analysis of card transactions",
            "QR code entry logs",
            "smart shelters at bus stops",
        ],
        [
            "인공지능 콜센터",
            "공공 와이파이",
            "코로나19 현황판",
            "카드 사용 내역 빅데이터 분석",
            "QR코드 출입명부",
            "스마트쉼터",
        ],
    ),
    "education": (
        [
            "online classes",
            "tablets lent to pupils",
            "remote learning platforms",
            "after-school care",
            "school disinfection",
            "distance education for adults",
        ],
        ["원격수업", "태블릿 대여", "온라인 개학", "돌봄교실", "학교 방역", "평생교육 온라인 강좌"],
    ),
    "culture": (
        [
            "online concerts",
            "virtual museum tours",
            "support for freelance artists",
            "library book delivery",
            "streamed theatre performances",
        ],
        ["온라인 공연", "비대면 전시", "예술인 긴급지원", "도서관 책 배달", "공연 실황 중계"],
    ),
    "urban-sharing": (
        [
            "shared parking spaces",
            "public bike sharing",
            "shared meal deliveries for the elderly",
            "sharing of empty buildings as clinics",
            "neighbourhood tool libraries",
        ],
        ["공유 주차장", "따릉이 공공자전거", "어르신 도시락 나눔", "빈 건물 공유", "공구 도서관"],
    ),
    "sports": (
        [
            "matches without spectators",
            "outdoor exercise programmes",
            "home workout videos",
            "reopening of public sports centres",
        ],
        ["무관중 경기", "야외 운동 프로그램", "홈트레이닝 영상", "공공체육시설 재개방"],
    ),
    "citizen-participation": (
        [
            "volunteer networks",
            "good landlord campaigns",
            "citizen ideas for the recovery",
            "blood donation drives",
            "neighbourhood watch for people living alone",
        ],
        ["자원봉사자", "착한 임대인 운동", "시민 아이디어 공모", "헌혈 캠페인", "홀몸 어르신 돌봄"],
    ),
    "public-transportation": (
        [
            "subway disinfection",
            "mandatory masks on buses",
            "night bus services",
            "ventilation of metro carriages",
            "crowding alerts for commuters",
        ],
        ["지하철 방역", "버스 마스크 착용 의무화", "심야버스", "전동차 환기", "혼잡도 안내"],
    ),
    "economy": (
        [
            "emergency relief payments",
            "rent support for small businesses",
            "zero-interest loans",
            "local gift vouchers",
            "job retention subsidies",
            "disaster relief funds",
        ],
        [
            "재난긴급생활비",
            "소상공인 임대료 지원",
            "무이자 융자",
            "지역사랑상품권",
            "고용유지 지원금",
            "재난지원금",
        ],
    ),
}
GROUPS = [
    ("residents", "시민"),
    ("older people", "어르신"),
    ("small businesses", "소상공인"),
    ("people in self-isolation", "자가격리자"),
    ("health workers", "의료진"),
    ("pupils and parents", "학생과 학부모"),
    ("commuters", "출퇴근 시민"),
    ("foreign residents", "외국인 주민"),
    ("volunteers", "자원봉사자"),
    ("confirmed patients", "확진자"),
]
EN_VERBS = [
    "opened",
    "expanded",
    "introduced",
    "funded",
    "tested",
    "coordinated",
    "reviewed",
    "scaled up",
    "moved online",
    "simplified",
]
KO_VERBS = [
    "운영했습니다",
    "확대했습니다",
    "도입했습니다",
    "지원했습니다",
    "강화했습니다",
    "안내했습니다",
    "점검했습니다",
    "배포했습니다",
]
EN_TEMPLATES = [
    "{city} {verb} {object} for {group} from {month} {year}.",
    "In {month} {year}, {district} district {verb} {object} with help from {group}.",
    "{Object} reached {figure} {group} in the first {weeks} weeks.",
    "The city government reviewed {object} every week and published the results.",
    "Officials in {city} said {object} worked best when {group} were involved early.",
    "Because of {object}, {group} in {city} waited less and travelled less.",
    "The programme combined {object} with {other}, which {city} had tried in {year}.",
    "Other cities copied {object} after {city} shared its guidelines on the CAC platform.",
]
KO_TEMPLATES = [
    "{city}시는 {year}년 {month}월부터 {group}{eul} 위해 {object}{eul} {verb}.",
    "{district}는 {object}{wa} {other}{eul} 함께 {verb}.",
    "{group}{eun} {object} 덕분에 기다리는 시간이 줄었습니다.",
    "{object}{eun} 첫 {weeks}주 동안 {figure}명의 {group}에게 도움이 되었습니다.",
    "시는 매주 {object} 현황을 점검하고 결과를 공개했습니다.",
    "다른 도시들도 {city}의 {object} 사례를 참고해 방역수칙을 마련했습니다.",
    "{object}{eun} 코로나19 대응 과정에서 {group}의 참여로 자리를 잡았습니다.",
]
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Practice:
    """One generated practice in one locale; translations share translation_key."""

    number: int  # position in the corpus, from 0
    slug: str
    locale: str
    translation_key: str
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    kind: str
    topics: tuple[str, ...]
    city: str
    country: str
    started: date

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    def to_json(self) -> str:
        data = asdict(self)
        data["started"] = self.started.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> Practice:
        data = json.loads(line)
        data["paragraphs"] = tuple(data["paragraphs"])
        data["topics"] = tuple(data["topics"])
        data["started"] = date.fromisoformat(data["started"])
        return cls(**data)

    def search_document(self):
        """What search.documents builds for a live practice page with these values."""
        from search.engines.base import SearchDocument

        return SearchDocument(
            id=f"page-{self.number + 1}",
            translation_key=self.translation_key,
            locale=self.locale,
            url=f"/{self.locale}/practices/{self.slug}/",
            title=self.title,
            content_type="practice",
            kind=self.kind,
            summary=self.summary,
            body=" ".join(self.paragraphs),
            topics=self.topics,
            city=self.city,
            country=self.country,
            started=self.started,
            published=datetime.combine(self.started, datetime.min.time(), tzinfo=UTC),
        )


def _has_final_consonant(word: str) -> bool:
    last = word.rstrip()[-1:]
    if not ("가" <= last <= "힣"):
        return False  # Latin letters or digits: treat as vowel-final ("QR코드를")
    return (ord(last) - ord("가")) % 28 != 0


def _particles(word: str) -> dict[str, str]:
    final = _has_final_consonant(word)
    return {
        "eul": "을" if final else "를",
        "eun": "은" if final else "는",
        "wa": "과" if final else "와",
    }


@cache
def _vocabulary() -> dict:
    """Sentences by topic and locale from the project's data, read once."""
    english: dict[str, list[str]] = defaultdict(list)
    korean: dict[str, list[str]] = defaultdict(list)
    for line in DEMO_PRACTICES.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        target = korean if record["locale"] == "ko" else english
        text = " ".join([record.get("summary", ""), record["body"].replace("\n", " ")])
        sentences = [s.strip() for s in SENTENCE_END.split(text) if len(s.split()) >= 4]
        for topic in record["topics"]:
            target[topic].extend(sentences)
    with PROGRAMME.open("rb") as handle:
        programme = tomllib.load(handle)
    topic_names = {}
    for topic in programme["topics"]:
        english[topic["slug"]].extend(SENTENCE_END.split(topic["description"].strip()))
        topic_names[topic["slug"]] = (topic["name"], topic.get("name_ko", topic["name"]))
    sessions = [
        SENTENCE_END.split(session["description"].strip())[0]
        for session in programme["sessions"]
        if session.get("description")
    ]
    synonym_terms = [
        term.strip()
        for line in SYNONYMS.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
        for term in line.split(",")
        if term.strip()
    ]
    return {
        "english": dict(english),
        "korean": dict(korean),
        "topic_names": topic_names,
        "sessions": sessions,
        "synonym_terms": synonym_terms,
    }


class _Writer:
    """Sentences, titles and summaries for one practice's topics, from one seeded rng."""

    def __init__(self, rng: random.Random, topics: tuple[str, ...], city: tuple, started: date):
        self.rng = rng
        self.topics = topics
        self.city_en, _country, self.city_ko, _weight = city
        self.started = started

    def _object(self, korean: bool) -> str:
        english, hangul = TOPIC_OBJECTS[self.rng.choice(self.topics)]
        return self.rng.choice(hangul if korean else english)

    def _slots(self, korean: bool) -> dict[str, str]:
        rng = self.rng
        district_en, district_ko = rng.choice(DISTRICTS)
        group_en, group_ko = rng.choice(GROUPS)
        year = str(rng.choice([self.started.year, self.started.year, 2020, 2021]))
        if korean:
            return {
                "city": self.city_ko,
                "district": district_ko,
                "group": group_ko,
                "object": self._object(True),
                "other": self._object(True),
                "verb": rng.choice(KO_VERBS),
                "month": str(rng.randint(1, 12)),
                "year": year,
                "figure": f"{rng.randint(2, 900) * 10:,}",
                "weeks": str(rng.randint(2, 12)),
            }
        obj = self._object(False)
        return {
            "city": self.city_en,
            "district": district_en,
            "group": group_en,
            "object": obj,
            "Object": obj[0].upper() + obj[1:],
            "other": self._object(False),
            "verb": rng.choice(EN_VERBS),
            "month": rng.choice(MONTHS),
            "year": year,
            "figure": f"{rng.randint(2, 900) * 10:,}",
            "weeks": str(rng.randint(2, 12)),
        }

    def sentence(self, korean: bool) -> str:
        rng = self.rng
        vocabulary = _vocabulary()
        pool = vocabulary["korean" if korean else "english"].get(rng.choice(self.topics))
        if pool and rng.random() < 0.45:
            return rng.choice(pool)
        if not korean and rng.random() < 0.04:
            return rng.choice(vocabulary["sessions"])
        slots = self._slots(korean)
        template = rng.choice(KO_TEMPLATES if korean else EN_TEMPLATES)
        if korean:
            # Particles follow the word they attach to, so fill the slots first.
            text = template
            for name in ("city", "district", "group", "object", "other"):
                particles = _particles(slots[name])
                text = re.sub(
                    r"\{" + name + r"\}\{(eul|eun|wa)\}",
                    lambda match, n=name, p=particles: slots[n] + p[match.group(1)],
                    text,
                )
            return text.format(**slots)
        return template.format(**slots)

    def paragraphs(self, korean: bool) -> tuple[str, ...]:
        rng = self.rng
        target_words = rng.randint(150, 400) if not korean else rng.randint(110, 300)
        sentences, words = [], 0
        while words < target_words:
            sentence = self.sentence(korean)
            sentences.append(sentence)
            words += len(sentence.split())
        if not korean and rng.random() < len(RARE_TERMS) / 400:
            position = rng.randrange(len(sentences))
            term = rng.choice(RARE_TERMS)
            sentences[position] += f" The team also piloted {term} in {self.city_en}."
        count = rng.randint(2, 5)
        size = max(1, -(-len(sentences) // count))
        return tuple(
            " ".join(sentences[start : start + size]) for start in range(0, len(sentences), size)
        )

    def title(self, korean: bool) -> str:
        rng = self.rng
        obj = self._object(korean)
        if korean:
            return rng.choice(
                [
                    f"{self.city_ko}의 {obj}",
                    f"{self.city_ko}시 {obj} 사례",
                    f"{obj} 운영 지침",
                    f"{self.started.year}년 {obj} 추진 현황",
                ]
            )
        group = rng.choice(GROUPS)[0]
        cap = obj[0].upper() + obj[1:]
        return rng.choice(
            [
                f"{self.city_en}'s {obj}",
                f"{cap} in {self.city_en}",
                f"{cap} for {group}",
                f"How {self.city_en} {rng.choice(EN_VERBS)} {obj}",
            ]
        )

    def summary(self, korean: bool) -> str:
        return " ".join(self.sentence(korean) for _ in range(self.rng.randint(1, 2)))


def iter_practices(count: int, seed: int = 2020) -> Iterator[Practice]:
    """`count` practices, streamed; translations directly follow their English original."""
    rng = random.Random(seed)
    vocabulary = _vocabulary()
    topics = list(vocabulary["topic_names"])
    city_weights = [city[3] for city in CITIES]
    first_day = date(2020, 1, 20)
    number = 0
    while number < count:
        roll = rng.random()
        locales = ["en"] if roll < 0.6 else ["en", "ko"] if roll < 0.9 else ["ko"]
        chosen_topics = tuple(
            sorted(rng.sample(topics, rng.choices([1, 2, 3], weights=[5, 3, 1])[0]))
        )
        city = rng.choices(CITIES, weights=city_weights)[0]
        # More practices early in the pandemic: a triangular spread over 2020-2021.
        started = first_day + timedelta(days=int(rng.triangular(0, 710, 60)))
        kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
        key = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        slug = f"practice-{number:06d}"
        writer = _Writer(rng, chosen_topics, city, started)
        for locale in locales:
            if number >= count:
                return
            korean = locale == "ko"
            yield Practice(
                number=number,
                slug=slug,
                locale=locale,
                translation_key=key,
                title=writer.title(korean),
                summary=writer.summary(korean),
                paragraphs=writer.paragraphs(korean),
                kind=kind,
                topics=chosen_topics,
                city=city[0],
                country=city[1],
                started=started,
            )
            number += 1


def korean_city_names() -> dict[str, str]:
    return {english: korean for english, _code, korean, _weight in CITIES}


def write_corpus(path: Path, count: int, seed: int = 2020, progress=None) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for practice in iter_practices(count, seed):
            handle.write(practice.to_json() + "\n")
            if progress:
                progress.update()


def read_corpus(path: Path, limit: int | None = None) -> Iterator[Practice]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                return
            yield Practice.from_json(line)
