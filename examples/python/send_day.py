#!/usr/bin/env python3
"""Send one day of contact events and agent statuses to Intake.

Only the standard library is needed. Configure with environment variables:

    INTAKE_URL      e.g. https://intake.example.com (default http://127.0.0.1:3000)
    INTAKE_KEY      the integration's API key (shown once when generated)
    INTAKE_INTEGRATION_ID  the integration configuration id from its page
    INTAKE_DAY      the day to send, YYYY-MM-DD (default 2021-12-06)

Each request carries an Idempotency-Key, so running the script twice, or
retrying after a network error, never counts a contact twice.
"""

import datetime as dt
import json
import os
import sys
import time
import urllib.error
import urllib.request

QUEUES = [("1337_99", "Level 1 support", "calls"), ("1337_42", "Chat support", "chats")]
AGENTS = ["bob@mycompany.com", "alice@mycompany.com", "Carol Smith"]


def contacts_in(interval, queue_index):
    """How many contacts arrive in an interval: made up, but the same in every example."""
    return (interval * 7 + queue_index * 3) % 5 + 1


def events_for_hour(day, hour):
    events = []
    for quarter in range(4):
        interval = hour * 4 + quarter
        start = day + dt.timedelta(minutes=15 * interval)
        for q, (identifier, name, channel) in enumerate(QUEUES):
            for j in range(contacts_in(interval, q)):
                handled = j % 4 != 3
                events.append({
                    "properties": {
                        "offered": True,
                        "handled": handled,
                        "duration": 60 + (interval + j) % 120 if handled else 0,
                    },
                    "queueName": name,
                    "queueIdentifier": identifier,
                    "timestamp": (start + dt.timedelta(minutes=j)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "channel": channel,
                })
    return events


def statuses_for(day):
    def at(hours, minutes=0):
        return (day + dt.timedelta(hours=hours, minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")

    statuses = []
    for agent in AGENTS:
        statuses += [
            {"agentIdentifier": agent, "activityIdentifier": "Logged in", "startTime": at(8), "endTime": at(12)},
            {"agentIdentifier": agent, "activityIdentifier": "Break", "startTime": at(12), "endTime": at(12, 30)},
            {"agentIdentifier": agent, "activityIdentifier": "Logged in", "startTime": at(12, 30), "endTime": at(17)},
        ]
    return statuses


def post(base, key, path, body, idempotency_key, attempts=5):
    """POST JSON; retry on 429 (after Retry-After) and on 5xx or network errors."""
    data = json.dumps(body).encode()
    for attempt in range(attempts):
        request = urllib.request.Request(
            base + path,
            data=data,
            method="POST",
            headers={
                "Authorization": "Bearer " + key,
                "Content-Type": "application/json",
                "Idempotency-Key": idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            answer = json.load(error) if error.headers.get_content_type() == "application/json" else {}
            if error.code == 429 or error.code >= 500:
                time.sleep(float(error.headers.get("Retry-After", 2 ** attempt)))
                continue
            for problem in answer.get("errors", []):
                print(f"  {problem['code']} at {problem['pointer']}: {problem['detail']}", file=sys.stderr)
            raise SystemExit(f"{path} was refused with {error.code}")
        except urllib.error.URLError as error:
            print(f"  network error ({error.reason}); retrying", file=sys.stderr)
            time.sleep(2 ** attempt)
    raise SystemExit(f"{path} failed after {attempts} attempts")


def main():
    base = os.environ.get("INTAKE_URL", "http://127.0.0.1:3000").rstrip("/")
    key = os.environ["INTAKE_KEY"]
    integration = int(os.environ["INTAKE_INTEGRATION_ID"])
    day_text = os.environ.get("INTAKE_DAY", "2021-12-06")
    day = dt.datetime.strptime(day_text, "%Y-%m-%d")

    sent = 0
    for hour in range(24):
        events = events_for_hour(day, hour)
        answer = post(base, key, "/external-systems/contact-events",
                      {"data": events, "meta": {"integrationConfigurationId": integration}},
                      f"example-contacts-{integration}-{day_text}-{hour:02}")
        sent += answer["items"]
    answer = post(base, key, "/external-systems/agent-statuses",
                  {"data": statuses_for(day),
                   "meta": {"integrationConfigurationId": integration, "externalSystem": "Example ACD"}},
                  f"example-statuses-{integration}-{day_text}")
    print(f"sent {sent} contact events and {answer['items']} agent statuses for {day_text} ({answer['status']})")


if __name__ == "__main__":
    main()
