import anthropic
import pytest


@pytest.mark.mockclaude(cassette="cassettes/haiku.yaml")  # next to this file; record_mode "none" by default
def test_replays_what_the_upstream_said(mockclaude):
    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="sk-mock")
    message = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=128,
        messages=[{"role": "user", "content": "Write a haiku about tape recorders."}],
    )

    assert message.id == "msg_011CkHKdio23FznPMsMcfEyd"  # the upstream's own id, from the cassette
    assert mockclaude.journal[-1].stub_id is not None  # answered by a recording, offline
