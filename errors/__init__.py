"""The app's own errors. Every message is written for the person using the app and says what to do.

The UI catches only these (and shows ``st.error``); anything else is a bug and surfaces as one.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: ``str(e)`` is a message a user can act on."""


class UserInputError(AssistantError):
    """The user's input cannot be used as it is (empty, too long, wrong kind of file)."""


class LLMUnavailable(AssistantError):
    """The LLM backend cannot be reached or loaded at all (nothing was generated)."""


class ModelNotFound(AssistantError):
    """The backend is up but does not have the requested model."""


class LLMStreamError(AssistantError):
    """The backend failed while answering (server error, dropped connection, bad stream)."""


class DocumentError(AssistantError):
    """A document cannot be read (broken, encrypted, empty, too large)."""


class PasswordRequired(DocumentError):
    """The PDF is encrypted and needs a password (or the given one is wrong)."""


class OriginalMissing(DocumentError):
    """A document's original file is not kept (or no longer matches it), so it cannot be read again."""


class StorageError(AssistantError):
    """A store cannot be opened or used (database unreachable, wrong password, wrong schema)."""


class AudioError(AssistantError):
    """Audio cannot be decoded or used (corrupt, silent, too long)."""


class AudioTooLong(AudioError):
    """The recording is longer than the app accepts (``MAX_AUDIO_S``)."""


class SpeechError(AssistantError):
    """Text-to-speech failed (for example espeak-ng is missing)."""


class ModelMissing(AssistantError):
    """A model the user chose is not on this computer (and cannot be downloaded here)."""
