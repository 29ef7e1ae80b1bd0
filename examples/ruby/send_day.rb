#!/usr/bin/env ruby
# frozen_string_literal: true

# Send one day of contact events and agent statuses to Intake.
#
# Only Ruby's standard library is needed. Configure with environment variables:
#
#   INTAKE_URL             e.g. https://intake.example.com (default http://127.0.0.1:3000)
#   INTAKE_KEY             the integration's API key (shown once when generated)
#   INTAKE_INTEGRATION_ID  the integration configuration id from its page
#   INTAKE_DAY             the day to send, YYYY-MM-DD (default 2021-12-06)
#
# Each request carries an Idempotency-Key, so running the script twice, or
# retrying after a network error, never counts a contact twice.

require "json"
require "net/http"
require "time"
require "uri"

QUEUES = [["1337_99", "Level 1 support", "calls"], ["1337_42", "Chat support", "chats"]].freeze
AGENTS = ["bob@mycompany.com", "alice@mycompany.com", "Carol Smith"].freeze

# How many contacts arrive in an interval: made up, but the same in every example.
def contacts_in(interval, queue_index)
  (interval * 7 + queue_index * 3) % 5 + 1
end

def stamp(time)
  time.utc.strftime("%Y-%m-%dT%H:%M:%SZ")
end

def events_for_hour(day, hour)
  (0...4).flat_map do |quarter|
    interval = hour * 4 + quarter
    start = day + 15 * 60 * interval
    QUEUES.each_with_index.flat_map do |(identifier, name, channel), q|
      (0...contacts_in(interval, q)).map do |j|
        handled = j % 4 != 3
        {
          properties: { offered: true, handled: handled, duration: handled ? 60 + (interval + j) % 120 : 0 },
          queueName: name,
          queueIdentifier: identifier,
          timestamp: stamp(start + 60 * j),
          channel: channel
        }
      end
    end
  end
end

def statuses_for(day)
  at = ->(hours, minutes = 0) { stamp(day + hours * 3600 + minutes * 60) }
  AGENTS.flat_map do |agent|
    [
      { agentIdentifier: agent, activityIdentifier: "Logged in", startTime: at.(8), endTime: at.(12) },
      { agentIdentifier: agent, activityIdentifier: "Break", startTime: at.(12), endTime: at.(12, 30) },
      { agentIdentifier: agent, activityIdentifier: "Logged in", startTime: at.(12, 30), endTime: at.(17) }
    ]
  end
end

# POST JSON; retry on 429 (after Retry-After) and on 5xx or network errors.
def post(base, key, path, body, idempotency_key, attempts: 5)
  uri = URI(base + path)
  attempts.times do |attempt|
    request = Net::HTTP::Post.new(uri)
    request["Authorization"] = "Bearer #{key}"
    request["Content-Type"] = "application/json"
    request["Idempotency-Key"] = idempotency_key
    request.body = JSON.generate(body)
    begin
      response = Net::HTTP.start(uri.host, uri.port, use_ssl: uri.scheme == "https", read_timeout: 30) do |http|
        http.request(request)
      end
    rescue SystemCallError, IOError, Timeout::Error => e
      warn "  network error (#{e.message}); retrying"
      sleep(2**attempt)
      next
    end
    code = response.code.to_i
    return JSON.parse(response.body) if code == 202

    if code == 429 || code >= 500
      sleep((response["Retry-After"] || 2**attempt).to_f)
      next
    end
    JSON.parse(response.body).fetch("errors", []).each do |problem|
      warn "  #{problem['code']} at #{problem['pointer']}: #{problem['detail']}"
    end
    abort "#{path} was refused with #{code}"
  end
  abort "#{path} failed after #{attempts} attempts"
end

base = ENV.fetch("INTAKE_URL", "http://127.0.0.1:3000").chomp("/")
key = ENV.fetch("INTAKE_KEY")
integration = Integer(ENV.fetch("INTAKE_INTEGRATION_ID"))
day_text = ENV.fetch("INTAKE_DAY", "2021-12-06")
day = Time.parse("#{day_text}T00:00:00Z")

sent = (0...24).sum do |hour|
  answer = post(base, key, "/external-systems/contact-events",
                { data: events_for_hour(day, hour), meta: { integrationConfigurationId: integration } },
                format("example-contacts-%d-%s-%02d", integration, day_text, hour))
  answer.fetch("items")
end
answer = post(base, key, "/external-systems/agent-statuses",
              { data: statuses_for(day), meta: { integrationConfigurationId: integration, externalSystem: "Example ACD" } },
              "example-statuses-#{integration}-#{day_text}")
puts "sent #{sent} contact events and #{answer.fetch('items')} agent statuses for #{day_text} (#{answer.fetch('status')})"
