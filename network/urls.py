"""The city network's public addresses (under the language prefix, cac/urls.py)."""

from django.urls import path

from network import feeds, views

urlpatterns = [
    path("compare/", views.compare_cities, name="compare_cities"),
    path("contact/<int:page_id>/", views.practice_contact, name="practice_contact"),
    path("share/", views.share_request, name="share_request"),
    path("share/verify/<str:token>/", views.verify_request, name="representative_verify"),
    path("alerts/", views.alerts_subscribe, name="alerts_subscribe"),
    path("alerts/confirm/<str:token>/", views.alerts_confirm, name="alerts_confirm"),
    path("alerts/unsubscribe/<str:token>/", views.alerts_unsubscribe, name="alerts_unsubscribe"),
    path("feeds/practices.atom", feeds.PracticesFeed(), name="practices_feed"),
    path("feeds/topics/<slug:slug>.atom", feeds.TopicPracticesFeed(), name="topic_feed"),
    path("feeds/cities/<slug:slug>.atom", feeds.CityPracticesFeed(), name="city_feed"),
]
