"""Facts the tests check against, as the issue states them (not read from our data files)."""

# The ten topic areas: the nine summit tracks and Economy.
TOPIC_SLUGS = [
    "quarantine",
    "climate-environment",
    "smart-city",
    "education",
    "culture",
    "urban-sharing",
    "sports",
    "citizen-participation",
    "public-transportation",
    "economy",
]
