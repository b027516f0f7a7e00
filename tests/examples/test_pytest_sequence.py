import anthropic


def test_retries_after_overload(mockclaude):
    overloaded = {"error": {"type": "overloaded_error"}, "headers": {"retry-after-ms": "1"}}
    mockclaude.expect().sequence(overloaded, {"text": "Back again"}, then="repeat_last")

    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="sk-mock", max_retries=2)
    message = client.messages.create(
        model="claude-sonnet-4-6", max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
    )

    assert message.content[0].text == "Back again"
    assert [entry.status for entry in mockclaude.journal] == [529, 200]
