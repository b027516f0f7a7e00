// The reply details of issue 12 through the official TypeScript SDK: for each case, the created message and the
// stream's finalMessage(), printed as one JSON object. Usage: MOCK_URL=http://127.0.0.1:PORT node details.mjs
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic({ baseURL: process.env.MOCK_URL, apiKey: "sk-ts", maxRetries: 0 });
const doc = (data) => ({ type: "document", title: "Colours", citations: { enabled: true },
                         source: { type: "text", media_type: "text/plain", data } });
const write = { name: "write_file", input_schema: { type: "object", required: ["path", "content", "tags"],
  properties: { path: { type: "string" }, content: { type: "string", minLength: 200 },
                tags: { type: "array", items: { type: "string" }, minItems: 3 } } } };
const toolCall = { model: "claude-sonnet-4-6", tools: [write], tool_choice: { type: "tool", name: "write_file" },
                   messages: [{ role: "user", content: "Write the notes file from TypeScript." }] };
const whole = await client.messages.create({ ...toolCall, max_tokens: 2048 });

const cases = {
  alias: { model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "Hello" }] },
  citations: { model: "claude-sonnet-4-6", max_tokens: 512, messages: [{ role: "user", content: [
    doc("The grass is green. The sky is blue. Water is wet."), { type: "text", text: "What colour is the sky?" }] }] },
  search: { model: "claude-sonnet-4-6", max_tokens: 512, messages: [{ role: "user", content: [
    { type: "search_result", source: "https://kb/a", title: "A", citations: { enabled: true },
      content: [{ type: "text", text: "Refunds take thirty days." }] },
    { type: "text", text: "How long do refunds take?" }] }] },
  partial: { ...toolCall, max_tokens: whole.usage.output_tokens - 5 },
};

const out = { whole: whole.content[0].input };
for (const [name, params] of Object.entries(cases)) {
  const created = await client.messages.create(params);
  const final = await client.messages.stream(params).finalMessage();
  out[name] = { created, final };
}
console.log(JSON.stringify(out));
