// Drives mockclaude with the official TypeScript SDK and prints one JSON object of results.
// Usage: MOCK_URL=http://127.0.0.1:PORT node check.mjs
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic({ baseURL: process.env.MOCK_URL, apiKey: "sk-ts", maxRetries: 0 });
const out = {};

const params = {
  model: "claude-sonnet-4-6",
  max_tokens: 256,
  messages: [{ role: "user", content: "Hello from TypeScript" }],
};

const created = await client.messages.create(params);
out.create = { id: created.id, stop_reason: created.stop_reason, text: created.content[0].text,
               usage: created.usage, request_id: created._request_id };

const stream = client.messages.stream(params);
let streamed = "";
stream.on("text", (t) => { streamed += t; });
const final = await stream.finalMessage();
out.stream = { text: streamed, final_text: final.content[0].text, stop_reason: final.stop_reason, usage: final.usage };

const tool = await client.messages.create({
  ...params,
  tools: [{ name: "get_weather", description: "Weather for a city",
            input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }],
  tool_choice: { type: "tool", name: "get_weather" },
});
out.tool = { stop_reason: tool.stop_reason, block: tool.content[0] };

const toolStream = client.messages.stream({ ...params,
  tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }],
  tool_choice: { type: "any" } });
const toolFinal = await toolStream.finalMessage();
out.tool_stream = { stop_reason: toolFinal.stop_reason, block: toolFinal.content[0] };

try {
  await client.messages.create({ model: "claude-sonnet-4-6", messages: [{ role: "user", content: "hi" }] });
  out.error = null;
} catch (e) {
  out.error = { status: e.status, type: e.error?.error?.type, message: e.error?.error?.message,
                request_id: e.requestID ?? null, name: e.constructor.name };
}

const models = [];
for await (const m of client.models.list({ limit: 5 })) models.push(m.id);
out.models = models;

console.log(JSON.stringify(out));
