// Record and replay with the official TypeScript SDK: run against a recording proxy, then against its replay.
// Usage: MOCK_URL=http://127.0.0.1:PORT node record.mjs   (prints one JSON object: the raw JSON and the stream)
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic({ baseURL: process.env.MOCK_URL, apiKey: "sk-ts-record", maxRetries: 0 });
const params = {
  model: "claude-sonnet-4-6",
  max_tokens: 256,
  messages: [{ role: "user", content: "Hello from TypeScript, recorded" }],
};

const raw = await client.messages.create(params).asResponse();
const out = { json: await raw.text(), request_id: raw.headers.get("request-id") };

const stream = client.messages.stream({ ...params, messages: [{ role: "user", content: "Stream it from TypeScript" }] });
const events = [];
let text = "";
for await (const event of stream) {
  events.push(event.type + (event.delta?.type ? `:${event.delta.type}` : ""));
  if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
}
const final = await stream.finalMessage();
out.stream = { events, text, id: final.id, final_text: final.content[0].text, usage: final.usage };
console.log(JSON.stringify(out));
