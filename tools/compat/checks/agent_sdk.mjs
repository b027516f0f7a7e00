// The TypeScript Claude Agent SDK (@anthropic-ai/claude-agent-sdk): one query({prompt: "say hi"}) against the mock.
// The SDK spawns the Claude Code binary of its platform package; the harness sets ANTHROPIC_BASE_URL,
// ANTHROPIC_API_KEY, a scratch HOME and CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, and stubs the reply.
import { query } from "@anthropic-ai/claude-agent-sdk";
import { HI_PROMPT, HI_TEXT, expect, run } from "./_protocol.mjs";

async function queryCheck() {
  const messages = [];
  for await (const message of query({ prompt: HI_PROMPT, options: { maxTurns: 1, cwd: process.env.HOME } })) {
    messages.push(message);
  }
  const kinds = messages.map((m) => m.type);
  const texts = messages.filter((m) => m.type === "assistant")
    .flatMap((m) => m.message.content.filter((b) => b.type === "text").map((b) => b.text));
  expect(JSON.stringify(texts) === JSON.stringify([HI_TEXT]), `assistant text ${JSON.stringify(texts)} (${kinds})`);
  const results = messages.filter((m) => m.type === "result");
  expect(results.length === 1, `result messages in ${kinds}`);
  const [result] = results;
  expect(result.subtype === "success" && !result.is_error, `result ${result.subtype} is_error=${result.is_error}`);
  expect(result.result === HI_TEXT, `result ${JSON.stringify(result.result)}`);
  expect(result.usage?.input_tokens > 0 && result.usage?.output_tokens > 0, `usage ${JSON.stringify(result.usage)}`);
}

await run([["query", queryCheck]]);
