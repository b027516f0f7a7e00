import anthropic

from mockclaude import MockClaude


async def test_on_the_tests_own_loop(aiohttp_client, mockclaude_app):
    app = mockclaude_app(seed=7)
    http = await aiohttp_client(app)
    mock = MockClaude.of(app)
    mock.expect().once().respond(text="served by pytest-aiohttp")

    client = anthropic.AsyncAnthropic(base_url=str(http.make_url("")), api_key="sk-mock")
    message = await client.messages.create(
        model="claude-sonnet-4-6", max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
    )

    assert message.content[0].text == "served by pytest-aiohttp"
