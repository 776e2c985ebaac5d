/*
 * Shows each session's time in the visitor's own time zone.
 *
 * The server writes the time in KST and UTC, and each <time datetime> holds the UTC
 * instant. This script reads those instants and fills in "Your time: …" with the
 * browser's zone. Without JavaScript, or without Intl, the page simply keeps KST and UTC.
 */
(function () {
  "use strict";

  if (!window.Intl || !Intl.DateTimeFormat || !document.querySelectorAll) {
    return;
  }

  var language = document.documentElement.lang || undefined;
  var timeFormat;
  var zoneFormat;
  var dayFormat;
  var isoDayFormat;
  try {
    timeFormat = new Intl.DateTimeFormat(language, {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23"
    });
    zoneFormat = new Intl.DateTimeFormat(language, { timeZoneName: "short" });
    dayFormat = new Intl.DateTimeFormat(language, {
      weekday: "short",
      day: "numeric",
      month: "short"
    });
    isoDayFormat = new Intl.DateTimeFormat("en", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit"
    });
  } catch (error) {
    return;
  }

  function part(parts, type) {
    for (var i = 0; i < parts.length; i += 1) {
      if (parts[i].type === type) {
        return parts[i].value;
      }
    }
    return "";
  }

  function zoneName(moment) {
    return formatToParts(zoneFormat, moment, "timeZoneName");
  }

  function formatToParts(format, moment, type) {
    if (!format.formatToParts) {
      return "";
    }
    return part(format.formatToParts(moment), type);
  }

  // The visitor's calendar day as YYYY-MM-DD, to compare with the session's day in Seoul.
  function localIsoDay(moment) {
    if (!isoDayFormat.formatToParts) {
      return "";
    }
    var parts = isoDayFormat.formatToParts(moment);
    return part(parts, "year") + "-" + part(parts, "month") + "-" + part(parts, "day");
  }

  var containers = document.querySelectorAll("[data-local-times]");
  Array.prototype.forEach.call(containers, function (container) {
    var times = container.querySelectorAll("time[datetime]");
    var output = container.querySelector("[data-local-time-output]");
    if (times.length < 2 || !output) {
      return;
    }
    var start = new Date(times[0].getAttribute("datetime"));
    var end = new Date(times[1].getAttribute("datetime"));
    if (isNaN(start.getTime()) || isNaN(end.getTime())) {
      return;
    }
    // A visitor on UTC or on Seoul time already reads their time on the page.
    var offset = start.getTimezoneOffset();
    if (offset === 0 || offset === -540) {
      return;
    }
    var text =
      (container.getAttribute("data-label") || "Your time") +
      ": " +
      timeFormat.format(start) +
      "\u2013" +
      timeFormat.format(end);
    var zone = zoneName(start);
    if (zone) {
      text += " " + zone;
    }
    if (localIsoDay(start) !== container.getAttribute("data-kst-day")) {
      text += " (" + dayFormat.format(start) + ")";
    }
    output.textContent = text;
    output.hidden = false;
  });
})();
