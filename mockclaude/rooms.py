"""The API rooms with user state (Files, Skills) as the Messages path meets them. No HTTP here.

Each room is a pure service of its own (``files/``, ``skills/``) with thin routes in ``server/``. Messages
requests meet them twice: before counting, the front half runs :meth:`Rooms.check` (every ``file_id`` source
must name a usable file, every ``container.skills`` entry an existing skill version), on memo hits too, since
files and skills come and go between two identical requests; after the engine decided, :meth:`Rooms.finish` puts
the request's container and its resolved skills into the reply, as the API reflects them.
"""

from __future__ import annotations

from mockclaude import ids
from mockclaude.clock import Clock
from mockclaude.engine.servertools import container as container_json
from mockclaude.files import FileReferences, Files
from mockclaude.model.reply import Reply
from mockclaude.model.request import ValidatedRequest
from mockclaude.skills import SkillReferences, Skills
from mockclaude.skills.container import requested_container_id, requested_skills

__all__ = ["Rooms"]


class Rooms:
    """The Files and Skills services of one mock instance, and the two places Messages meet them."""

    def __init__(self, seed: int, clock: Clock) -> None:
        self.seed = seed
        self.clock = clock
        self.files = Files(seed, clock)
        self.skills = Skills(seed, clock)
        self._file_refs = FileReferences(self.files)
        self._skill_refs = SkillReferences(self.skills)

    def clear(self) -> None:
        """Forget every file and custom skill (``Pipeline.reset``)."""
        self.files.clear()
        self.skills.clear()

    def check(self, req: ValidatedRequest, body: bytes) -> None:
        """The state-dependent rules of a Messages request (the front half's ``check``)."""
        self._file_refs(req, body)
        self._skill_refs(req, body)

    def finish(self, req: ValidatedRequest, reply: Reply, request_key: str, occurrence: int) -> None:
        """The reply's ``container``: the one the request reuses (``container.id``), with the request's skills
        resolved (``latest`` -> the version id); a new container when skills are asked for and none ran.

        A container a script set with its own ``skills`` is left as written.
        """
        wanted = requested_skills(req)
        reuse = requested_container_id(req)
        if not wanted and (reuse is None or reply.container is None):
            return
        if reply.container is not None:
            container = dict(reply.container)
        else:
            new_id = reuse or ids.make_id("container", self.seed, request_key, occurrence)
            container = container_json(new_id, self.clock.now())
        if reuse is not None:
            container["id"] = reuse
        if wanted and container.get("skills") is None:
            container["skills"] = self._skill_refs.resolve(req)
        reply.container = container
