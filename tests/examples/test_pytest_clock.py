import anthropic

PROMPT = "You are a patient librarian. " * 400  # long enough to be cached


def test_cache_entry_expires_with_the_manual_clock(mockclaude):
    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="sk-mock")
    system = [{"type": "text", "text": PROMPT, "cache_control": {"type": "ephemeral"}}]

    def ask():
        hi = [{"role": "user", "content": "Hi"}]
        return client.messages.create(
            model="claude-sonnet-4-6", max_tokens=32, system=system, messages=hi
        ).usage

    assert ask().cache_creation_input_tokens > 0  # written
    assert ask().cache_read_input_tokens > 0  # read back
    assert len(mockclaude.cache) == 1

    mockclaude.clock.advance(minutes=6)  # past the 5-minute TTL, without waiting
    assert ask().cache_read_input_tokens == 0
