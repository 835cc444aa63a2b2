"""The terminal chat: a Textual front end over :class:`assistant.service.Assistant`.

It holds no logic of its own beyond presentation. Slow work (opening the index, building it,
answering) runs in workers that report back with the messages in :mod:`.messages`, and the
heavy libraries are imported only inside those workers so the first paint is immediate.
"""
