// What every Node check script shares: the twin of _protocol.py. The harness copies the check and this file into
// the client's npm prefix (so `import "@anthropic-ai/sdk"` resolves there) and runs `node <check>.mjs`.
// A check is an async function: it resolves (pass), throws Skip (skipped) or throws anything else (fail). Each
// runs under its own COMPAT_TIMEOUT; one `COMPAT-RESULT {json}` line per check goes to stdout.
export const URL = process.env.MOCK_URL ?? "http://127.0.0.1:8080";
export const TIMEOUT = Number(process.env.COMPAT_TIMEOUT ?? "120");
export const API_KEY = "sk-compat";
export const MODEL = "claude-sonnet-4-6";
export const UNKNOWN_MODEL = "claude-compat-unknown-0";
// The harness stubs this reply for prompts containing HI_PROMPT (the same constants as _protocol.py).
export const HI_PROMPT = "say hi";
export const HI_TEXT = "Hi from the mockclaude compat stub.";
export const WEATHER_SCHEMA = {
  type: "object",
  properties: { city: { type: "string", description: "The city" } },
  required: ["city"],
};

export class Skip extends Error {}

export function expect(condition, reason) {
  if (!condition) throw new Error(reason);
}

const emit = (check, status, detail, seconds) =>
  process.stdout.write(`COMPAT-RESULT ${JSON.stringify({ check, status, detail, seconds })}\n`);

export async function run(checks) {
  const only = new Set((process.env.COMPAT_CHECKS ?? "").split(",").filter(Boolean));
  let failed = false;
  for (const [name, check] of checks) {
    if (only.size && !only.has(name)) continue;
    const start = Date.now();
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result after ${TIMEOUT} s`)), TIMEOUT * 1000);
    });
    const seconds = () => Math.round((Date.now() - start) / 10) / 100;
    try {
      await Promise.race([check(), timeout]);
      emit(name, "pass", "", seconds());
    } catch (error) {
      if (error instanceof Skip) {
        emit(name, "skip", error.message, seconds());
      } else {
        failed = true;
        console.error(error);
        const text = `${error?.constructor?.name ?? "Error"}: ${error?.message ?? error}`;
        emit(name, "fail", text.replace(/\s+/g, " ").slice(0, 400), seconds());
      }
    } finally {
      clearTimeout(timer);
    }
  }
  process.exit(failed ? 1 : 0);
}
