import anthropic


def test_weather_answer(mockclaude):
    mockclaude.expect(last_user_text={"contains": "weather"}).once().respond(text="Sunny, 21 °C")

    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="sk-mock")
    message = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=256,
        messages=[{"role": "user", "content": "What's the weather in Paris?"}],
    )

    assert message.content[0].text == "Sunny, 21 °C"
    entry = mockclaude.assert_called(times=1, model="claude-sonnet-4-6")[0]
    assert entry.body["max_tokens"] == 256
    assert entry.usage["output_tokens"] == message.usage.output_tokens
