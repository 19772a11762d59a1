"""Channel-agnostic message types: adapters turn platform updates into Incoming and render Outgoing."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes


@dataclass(frozen=True)
class Incoming:
    channel: str
    chat_id: str
    user_id: str
    text: str = ""
    choice: str | None = None
    attachment: Attachment | None = None
    user_name: str = ""
    chat_type: str = "private"
    files: bool = True  # the channel can bring files from the user (Zalo cannot: it offers an upload link)
    pictures: bool = True  # the channel can show the user a picture (Zalo only where its links are public https)

    def __post_init__(self) -> None:
        # A NUL typed or pasted is never meant, and PostgreSQL's text cannot hold one: gone before anything reads it.
        for name in ("text", "choice", "user_name"):
            value = getattr(self, name)
            if value and "\x00" in value:
                object.__setattr__(self, name, value.replace("\x00", ""))


@dataclass(frozen=True)
class OutDocument:
    filename: str
    data: bytes
    caption: str = ""
    unit_id: int | None = None  # a stored document's identity: how a channel that sends no files links it
    doc_id: int | None = None


@dataclass(frozen=True)
class OutPicture:
    """A PNG to look at (a page of a document, a chart); the reply's text stays for channels without pictures."""
    filename: str
    data: bytes
    caption: str = ""


@dataclass
class Outgoing:
    text: str = ""
    title: str = ""
    choices: list[Choice] = field(default_factory=list)
    document: OutDocument | None = None
    picture: OutPicture | None = None

    def plain(self) -> str:
        """Title and text as one plain string (console, Zalo, logs)."""
        return "\n".join(part for part in (self.title, self.text) if part)
