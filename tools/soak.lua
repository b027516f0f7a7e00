-- make soak: every request a unique body (thread id and a counter in the prompt), so no memo or cache hides a leak.
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["x-api-key"] = "sk-soak"
wrk.headers["anthropic-version"] = "2023-06-01"
threads = 0
counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"model":"claude-sonnet-4-6","max_tokens":64,"messages":[{"role":"user","content":"soak %d-%d: tell me about the sea"}]}',
    id or 0, counter)
  return wrk.format(nil, "/v1/messages", nil, body)
end
