"""System-prompt presets. Short on purpose: every prompt token costs first-token time on a CPU."""

from __future__ import annotations

PRESETS: dict[str, str] = {
    "default": "You are a helpful, private assistant running on the user's own computer. "
    "Answer clearly and correctly. If you are not sure, say so.",
    "concise": "You are a helpful assistant. Answer in as few words as possible: "
    "one or two sentences, no preamble.",
    "technical": "You are a precise technical assistant. Give exact, well-structured answers; "
    "use code blocks for code and commands; state assumptions.",
    "creative": "You are an imaginative, warm assistant. Be vivid and original, "
    "while staying truthful about facts.",
}

CUSTOM = "custom"

#: Added to the system prompt when passages from the knowledge base are given.
GROUNDING = (
    "Answer from the numbered sources when given; cite them like [1]. If they lack the answer, say so."
)

#: Added instead when the user asked for answers from documents only.
GROUNDING_STRICT = (
    "Answer only from the numbered sources; cite them like [1]. "
    "If they lack the answer, reply: I don't know based on your documents."
)

NOT_IN_DOCUMENTS = "I don't know based on your documents: nothing relevant was found in them."


def system_prompt(preset: str, custom: str = "") -> str:
    """The system prompt for a preset name; ``custom`` is used for the "custom" preset."""
    if preset == CUSTOM:
        return custom.strip() or PRESETS["default"]
    return PRESETS.get(preset, PRESETS["default"])
