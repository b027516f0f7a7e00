// The official TypeScript SDK (@anthropic-ai/sdk) against the served mock: the same checks as anthropic_sdk.py.
import Anthropic from "@anthropic-ai/sdk";
import { API_KEY, MODEL, UNKNOWN_MODEL, URL, WEATHER_SCHEMA, expect, run } from "./_protocol.mjs";

const client = new Anthropic({ baseURL: URL, apiKey: API_KEY, maxRetries: 0, timeout: 60_000 });
const params = { model: MODEL, max_tokens: 256, messages: [{ role: "user", content: "Hello from the compat check" }] };
const tool = { name: "get_weather", description: "The weather in a city", input_schema: WEATHER_SCHEMA };
const textOf = (message) => message.content.filter((b) => b.type === "text").map((b) => b.text).join("");
const created = {};

async function create() {
  const message = await client.messages.create(params);
  expect(message.type === "message" && message.role === "assistant", `type/role ${message.type}/${message.role}`);
  expect(message.id.startsWith("msg_"), `id ${message.id}`);
  expect(message.content[0]?.type === "text" && textOf(message), `content ${JSON.stringify(message.content)}`);
  expect(message.stop_reason === "end_turn", `stop_reason ${message.stop_reason}`);
  expect(message.usage.input_tokens > 0 && message.usage.output_tokens > 0, `usage ${JSON.stringify(message.usage)}`);
  expect(message._request_id?.startsWith("req_"), `_request_id ${message._request_id}`);
  Object.assign(created, { text: textOf(message), usage: message.usage });
}

async function stream() {
  const s = client.messages.stream(params);
  let text = "";
  let deltaTokens = null;
  s.on("text", (t) => { text += t; });
  s.on("streamEvent", (e) => { if (e.type === "message_delta") deltaTokens = e.usage.output_tokens; });
  const final = await s.finalMessage();
  expect(text, "nothing streamed");
  expect(textOf(final) === text, `final text ${JSON.stringify(textOf(final))} != streamed ${JSON.stringify(text)}`);
  expect(final.stop_reason === "end_turn", `final stop_reason ${final.stop_reason}`);
  expect(final.usage.output_tokens === deltaTokens, `final output_tokens ${final.usage.output_tokens} != ${deltaTokens}`);
  if (created.text !== undefined) {
    expect(text === created.text, `streamed ${JSON.stringify(text)} != created ${JSON.stringify(created.text)}`);
    expect(deltaTokens === created.usage.output_tokens, `output_tokens ${deltaTokens} != ${created.usage.output_tokens}`);
  }
}

async function countTokens() {
  const counted = await client.messages.countTokens({ model: MODEL, messages: params.messages });
  expect(counted.input_tokens > 0, `input_tokens ${counted.input_tokens}`);
  if (created.usage) {
    expect(counted.input_tokens === created.usage.input_tokens,
      `count_tokens ${counted.input_tokens} != create's ${created.usage.input_tokens}`);
  }
}

const ask = [{ role: "user", content: "What is the weather in Paris?" }];
const forced = { model: MODEL, max_tokens: 512, tools: [tool], tool_choice: { type: "tool", name: "get_weather" },
                 messages: ask };

async function toolRoundTrip() {
  const first = await client.messages.create(forced);
  created.toolInput = first.content.at(-1)?.input;
  expect(first.stop_reason === "tool_use", `stop_reason ${first.stop_reason}`);
  const calls = first.content.filter((b) => b.type === "tool_use");
  expect(calls.length === 1, `tool_use blocks ${JSON.stringify(first.content)}`);
  const call = calls[0];
  expect(call.name === "get_weather" && call.id.startsWith("toolu_"), `tool_use ${JSON.stringify(call)}`);
  expect(typeof call.input?.city === "string", `input ${JSON.stringify(call.input)}`);
  const second = await client.messages.create({
    model: MODEL, max_tokens: 512, tools: [tool],
    messages: [...ask, { role: "assistant", content: first.content },
      { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "18 °C and sunny" }] }],
  });
  expect(second.stop_reason === "end_turn", `second stop_reason ${second.stop_reason}`);
  const last = second.content.at(-1);
  expect(last?.type === "text" && last.text, `second content ${JSON.stringify(second.content)}`);
  expect(second.usage.input_tokens > first.usage.input_tokens, "the tool result did not grow input_tokens");
}

async function toolStream() {
  const s = client.messages.stream(forced);
  const kinds = new Set();
  s.on("streamEvent", (e) => { if (e.type === "content_block_delta") kinds.add(e.delta.type); });
  const final = await s.finalMessage();
  expect(kinds.has("input_json_delta"), `delta types ${[...kinds]}`);
  expect(final.stop_reason === "tool_use", `stop_reason ${final.stop_reason}`);
  const calls = final.content.filter((b) => b.type === "tool_use");
  expect(calls.length === 1 && calls[0].name === "get_weather", `content ${JSON.stringify(final.content)}`);
  expect(typeof calls[0].input?.city === "string", `input ${JSON.stringify(calls[0].input)}`);
  if (created.toolInput !== undefined) {
    const [a, b] = [JSON.stringify(calls[0].input), JSON.stringify(created.toolInput)];
    expect(a === b, `streamed ${a} != ${b}`);
  }
}

async function notFound() {
  try {
    await client.messages.create({ ...params, model: UNKNOWN_MODEL });
  } catch (e) {
    expect(e instanceof Anthropic.NotFoundError, `raised ${e?.constructor?.name}: ${e?.message}`);
    expect(e.status === 404, `status ${e.status}`);
    expect(e.error?.error?.type === "not_found_error", `error.type ${e.error?.error?.type}`);
    expect(String(e.error?.error?.message).includes(UNKNOWN_MODEL), `error.message ${e.error?.error?.message}`);
    expect(e.requestID?.startsWith("req_"), `requestID ${e.requestID}`);
    return;
  }
  throw new Error("no NotFoundError for an unknown model");
}

async function models() {
  const ids = [];
  for await (const m of client.models.list({ limit: 3 })) ids.push(m.id);
  expect(ids.length >= 5 && new Set(ids).size === ids.length, `ids ${JSON.stringify(ids)}`);
  expect(ids.includes(MODEL), `${MODEL} not listed`);
  const info = await client.models.retrieve(MODEL);
  expect(info.id === MODEL && info.type === "model" && info.display_name, `retrieve ${JSON.stringify(info)}`);
}

await run([
  ["create", create], ["stream", stream], ["count_tokens", countTokens],
  ["tool_round_trip", toolRoundTrip], ["tool_stream", toolStream], ["not_found", notFound], ["models", models],
]);
