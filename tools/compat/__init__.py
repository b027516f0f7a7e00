"""``make compat``: the newest release of every client the README names, checked against one served mock.

``python -m tools.compat [--only NAME[,NAME]] [--json] [--refresh] [--timeout S] [--find-oldest]``

1. Installs each client in its own environment under ``.compat/<name>`` (:mod:`tools.compat.envs`): a uv venv
   for Python clients, an npm prefix for Node ones, at the newest release the registry resolves for the client's
   spec (:mod:`tools.compat.clients`: ``anthropic`` newest 2.x, newest 1.x and the oldest 0.x with
   ``client.messages``; ``@anthropic-ai/sdk``; ``openai``; ``langchain-anthropic``; ``litellm``; Claude Code;
   the Python and TypeScript Claude Agent SDKs). An environment that already holds that release is reused.
2. Starts one ``python -m mockclaude serve --port 0`` (:mod:`tools.compat.mock`) and, before each client,
   resets it and installs the compat stubs through the admin API.
3. Runs the client's named checks (:mod:`tools.compat.checks`, run by the client's own interpreter, or the
   ``claude`` CLI for Claude Code: :mod:`tools.compat.claude_code`), each under its own timeout, with every
   process group killed when it ends (:mod:`tools.compat.run`). All traffic goes to the mock on 127.0.0.1.
4. Prints the table (:mod:`tools.compat.report`): client, version, passed / failed / skipped, and a one-line
   reason for every failed or skipped check; the mock's journal is saved under ``.compat/journal/`` for a
   client with a failure. The exit status is 1 when any check failed or any client could not be installed.
"""
