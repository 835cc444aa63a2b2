"""Answers built from retrieved evidence, and checked against it.

``extractive.extractive_answer`` quotes the evidence offline; ``llm.LLMAnswerer`` asks an
OpenAI-compatible endpoint and then checks every citation and quote in code
(:mod:`assistant.answer.verify`). Nothing is imported here: ``assistant --help`` and the chat's
first frame import the verification helpers without the LLM client and its settings.
"""
