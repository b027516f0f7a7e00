import anthropic


def summarize(text: str) -> str:
    """Code under test: it builds its own client from ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY."""
    client = anthropic.Anthropic()
    message = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=100,
        messages=[{"role": "user", "content": f"Summarize: {text}"}],
    )
    return message.content[0].text


def test_summarize(mockclaude_env):
    mockclaude_env.expect(last_user_text={"regex": "^Summarize: "}).respond(text="Short.")

    assert summarize("a long story") == "Short."
