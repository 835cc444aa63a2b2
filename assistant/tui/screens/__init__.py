"""Screens of the chat: the main chat, a quote in context, history, help, index progress."""
