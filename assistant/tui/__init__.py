"""The terminal chat: a Textual front end over :class:`assistant.service.Assistant`, written
against :class:`assistant.contract.AssistantService`.

It holds no logic of its own beyond presentation. Slow work (opening the index, building it,
answering) runs in workers that report back with the messages in :mod:`.messages`, and the
heavy libraries are imported only inside those workers so the first paint is immediate. The
app owns the service, the history and the index workers and announces changes on its
``index_events`` signal; each screen owns its own flow and widgets.
"""
