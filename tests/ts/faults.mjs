// Scripted errors, retries and stream faults seen by the official TypeScript SDK; prints one JSON object.
// The Python side (tests/test_faults_ts.py) scripts the stubs first. Usage: MOCK_URL=... node faults.mjs
import Anthropic from "@anthropic-ai/sdk";

const url = process.env.MOCK_URL;
const model = "claude-sonnet-4-6";
const ask = (text) => ({ model, max_tokens: 64, messages: [{ role: "user", content: text }] });
const describe = (e) => ({
  name: e.constructor.name, status: e.status ?? null, type: e.error?.error?.type ?? e.type ?? null,
  message: e.error?.error?.message ?? null, request_id: e.requestID ?? null,
});
const out = {};

async function attempt(fn) {
  try { return { ok: await fn() }; } catch (e) { return { error: describe(e) }; }
}

const retrying = new Anthropic({ baseURL: url, apiKey: "sk-ts", maxRetries: 2 });
const once = new Anthropic({ baseURL: url, apiKey: "sk-ts", maxRetries: 0 });

out.retried = await attempt(async () => (await retrying.messages.create(ask("ts flaky"))).content[0].text);
out.streamRetried = await attempt(async () =>
  (await retrying.messages.stream(ask("ts flaky stream")).finalMessage()).content[0].text);
out.noRetry = await attempt(() => retrying.messages.create(ask("ts no retry")));

let start = Date.now();
await retrying.messages.create(ask("ts wait"));
out.waitedMs = Date.now() - start;

out.errors = {};
for (const type of JSON.parse(process.env.ERROR_TYPES)) {
  const oneRetry = new Anthropic({ baseURL: url, apiKey: "sk-ts", maxRetries: 1 });
  out.errors[type] = (await attempt(() => oneRetry.messages.create(ask(`ts ${type}`)))).error;
}

const events = [];
out.midStream = await attempt(async () => {
  const stream = once.messages.stream(ask("ts break"));
  stream.on("streamEvent", (event) => events.push(event.type));
  return await stream.finalMessage();
});
out.midStreamEvents = events;

out.dropRetried = await attempt(async () => (await retrying.messages.create(ask("ts drop"))).content[0].text);

const impatient = new Anthropic({ baseURL: url, apiKey: "sk-ts", maxRetries: 0, timeout: 500 });
start = Date.now();
out.stall = await attempt(() => impatient.messages.create(ask("ts stall")));
out.stallMs = Date.now() - start;

console.log(JSON.stringify(out));
