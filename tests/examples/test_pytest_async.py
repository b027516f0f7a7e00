import anthropic
import pytest


@pytest.mark.mockclaude(strict=True)
async def test_echo_with_a_callback(mockclaude):
    def echo(request):
        question = request.params.messages[-1].content[0].text
        return {"text": f"You said: {question}"}

    mockclaude.expect(model="claude-opus-4-5").respond_with(echo)

    client = anthropic.AsyncAnthropic(base_url=mockclaude.url, api_key="sk-mock")
    message = await client.messages.create(
        model="claude-opus-4-5", max_tokens=64, messages=[{"role": "user", "content": "ping"}]
    )

    assert message.content[0].text == "You said: ping"
