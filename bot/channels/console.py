"""The console channel (`chibo chat`): one user message per stdin line, replies on stdout."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.messages import Attachment, Choice, Incoming, Outgoing
from bot.text import fold

if TYPE_CHECKING:
    from bot.reminders.sweeper import Sweeper

log = logging.getLogger(__name__)

CHANNEL = "console"
MESSAGE_BUDGET = 3800  # characters of one reminder (the same cut as on Telegram); sends are not paced
# Script lines that are not messages: `#as hoa` (the next lines are typed by console user "hoa"; `#as` alone: back
# to --user) and `#time +3d` / `#time +2h` / `#time 2026-12-05T07:00` (a frozen clock moves forward, then the
# reminders due by then are sent to every user of the script).
# `$MA_MOI` in a script line stands for the last invite code the console printed ("Mã mời: …"): a script cannot
# know the random code its owner is given, and her invitee types it.
CODE = "$MA_MOI"
CODE_SHOWN = re.compile(r"Mã mời: ([A-Z0-9]{4,16})")
AS = re.compile(r"#as(?:\s+(\S+))?\s*$")
TIME = re.compile(r"#time\s+(.+?)\s*$")
STEP = re.compile(r"\+(\d{1,4})\s*([dhm])$")
STEPS = {"d": "days", "h": "hours", "m": "minutes"}


def exchanges(transcript: str) -> list[tuple[str, str]]:
    """A piped session's output cut at the "> message" echo lines: (message, the replies to it) pairs."""
    pairs: list[tuple[str, str]] = []
    current: str | None = None
    lines: list[str] = []
    for line in transcript.splitlines():
        if line.startswith("> "):
            if current is not None:
                pairs.append((current, "\n".join(lines)))
            current, lines = line[2:], []
        else:
            lines.append(line)
    if current is not None:
        pairs.append((current, "\n".join(lines)))
    return pairs


class Console:
    def __init__(self, assistant, *, user_id: str, out_dir: Path, stdout: TextIO = sys.stdout):
        self.assistant = assistant
        self.user_id = user_id
        self.first_user = user_id
        self.sweepers: dict[str, Sweeper] = {}  # a frozen clock's sweep of each user the script spoke as
        self.out_dir = out_dir
        self.stdout = stdout
        self.choices: list[Choice] = []
        self.last_code = ""  # the last invite code printed: `$MA_MOI` in a script line
        self._ticking: asyncio.Task[None] | None = None  # the reminder sweep's task (real clock)

    def incoming(self, line: str) -> Incoming:
        """A typed line; a number or label of the last printed choices selects that choice.

        `@PATH` sends the file at PATH, as a file sent in a Telegram chat.
        """
        line = line.replace("\\n", "\n").strip()
        if line.startswith("@") and len(line) > 1:
            path = Path(line[1:].strip()).expanduser()
            if path.is_file() and self.refusal(line) is None:
                from bot.extract.limits import MAX_UPLOAD

                with path.open("rb") as file:  # no more than one byte over the limit, should it have grown
                    data = file.read(MAX_UPLOAD + 1)
                return Incoming(channel=CHANNEL, chat_id=self.user_id, user_id=self.user_id,
                                attachment=Attachment(path.name, data), user_name=self.user_id)
        choice = None
        # A question of a running flow (values "<seq>.<n>") gets the text as typed, as on Telegram: the engine
        # itself reads a typed number or label as the offered choice where it cannot be the answer itself.
        asked = any(re.fullmatch(r"[0-9]+\.[0-9]+", c.value) for c in self.choices)
        if self.choices and not asked and not line.startswith("/"):
            if line.isdigit() and 0 < int(line) <= len(self.choices):
                choice = self.choices[int(line) - 1].value
            else:
                choice = next((c.value for c in self.choices if fold(c.label) == fold(line)), None)
        return Incoming(channel=CHANNEL, chat_id=self.user_id, user_id=self.user_id, text=line,
                        choice=choice, user_name=self.user_id)

    def refusal(self, line: str) -> str | None:
        """Why the file of an `@PATH` line is not sent: larger than a file sent may be (its size is read
        with stat, the file is not opened). None for any other line."""
        from bot.extract.limits import check_upload

        line = line.replace("\\n", "\n").strip()
        if not line.startswith("@") or len(line) < 2:
            return None
        path = Path(line[1:].strip()).expanduser()
        try:
            if path.is_file():
                check_upload(path.stat().st_size, path.name)
        except ValueError as exc:
            return str(exc)
        except OSError:
            return None
        return None

    def show(self, replies: list[Outgoing]) -> None:
        for out in replies:
            lines = [out.plain()] if out.plain() else []
            if out.document is not None:
                lines.append(self.write(out.document.filename, out.document.data))
            if out.picture is not None:
                lines += [out.picture.caption] if out.picture.caption else []
                lines.append(self.write(out.picture.filename, out.picture.data, "Đã ghi ảnh", keep_others=True))
            if out.choices:
                self.choices = out.choices
                lines += [f"[{n}] {c.label}" for n, c in enumerate(out.choices, 1)]
            elif lines:
                self.choices = []
            if lines:
                if shown := CODE_SHOWN.findall("\n".join(lines)):
                    self.last_code = shown[-1]
                print("\n".join(lines), file=self.stdout)
                print(file=self.stdout)
        self.stdout.flush()

    def write(self, filename: str, data: bytes, done: str = "Đã ghi văn bản", keep_others: bool = False) -> str:
        """Write a document or a picture into the output folder; the line telling where, or why it could not
        be written (a document is stored whatever happens here: /vanban sends it again). With `keep_others`
        (pictures), a different file of the same name is kept and this one named “… (2).png”, “… (3).png”…"""
        path = self.out_dir / filename
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            n = 1
            while keep_others and path.exists() and path.read_bytes() != data:
                n += 1
                path = self.out_dir / f"{Path(filename).stem} ({n}){Path(filename).suffix}"
            path.write_bytes(data)
        except (OSError, ValueError) as exc:  # a full disk, a read-only folder, a name the system refuses
            log.warning("could not write %r: %s", filename, exc)
            return (f"Không ghi được tệp “{filename}” vào thư mục {self.out_dir} ({exc.__class__.__name__}: "
                    f"{exc}). Văn bản vẫn được lưu; xin kiểm tra thư mục rồi gõ /vanban để nhận lại tệp.")
        return f"{done}: {path}"

    async def send(self, line: str) -> None:
        refused = self.refusal(line)
        if refused is not None:
            self.show([Outgoing(text=refused)])
            return
        incoming = self.incoming(line)
        self.show(await self.assistant.handle(incoming))
        await self.assistant.delivered(CHANNEL, incoming.chat_id, incoming.user_id)

    async def show_reminder(self, chat_id: str, out: Outgoing) -> None:
        """The reminder sweep's sender: printed as is; the offered choices stay those of the last question."""
        print(out.plain(), file=self.stdout)
        print(file=self.stdout)
        self.stdout.flush()

    async def start_reminders(self) -> Sweeper | None:
        """This user's reminder sweep (bot/reminders/), run once now. With a real clock it then runs every
        minute in a task; with a frozen one (--now) it is returned, to run again on each typed line."""
        from bot.reminders.sweeper import Sweeper

        store = getattr(self.assistant, "store", None)
        if store is None:
            return None
        user = self.user_id
        sweeper = Sweeper(store, self.assistant.clock, CHANNEL, partial(self.show_reminder_to, user), chat_id=user,
                          budget=MESSAGE_BUDGET)
        await sweeper.sweep()
        if sweeper.frozen:
            self.sweepers[user] = sweeper
            return sweeper
        self._ticking = asyncio.create_task(sweeper.run_forever(first_after=True), name="reminders")
        return None

    async def show_reminder_to(self, user: str, chat_id: str, out: Outgoing) -> None:
        """A reminder printed; one for another user of the script says whose it is."""
        if user != self.user_id:
            print(f"[Tin nhắn gửi {user}]", file=self.stdout)
        await self.show_reminder(chat_id, out)

    async def sweep_all(self) -> None:
        """A frozen clock's sweep for every user the script spoke as (each one's chat once)."""
        for sweeper in list(self.sweepers.values()):
            await sweeper.sweep()

    async def directive(self, line: str) -> bool:
        """Run a script line `#as …` or `#time …`; False for any other line."""
        if match := AS.match(line):
            self.user_id = match.group(1) or self.first_user
            self.choices = []
            print(f"(Người gõ: {self.user_id})\n", file=self.stdout)
            if self.user_id not in self.sweepers and self.assistant.clock.frozen:
                await self.start_reminders()
            resumed = await self.assistant.resume(CHANNEL, self.user_id, self.user_id)  # her question, if any
            if resumed:
                self.show(resumed)
                await self.assistant.delivered(CHANNEL, self.user_id, self.user_id)
            return True
        if match := TIME.match(line):
            clock = self.assistant.clock
            await self.sweep_all()  # what the last line made is seen at the clock's time it was made
            try:
                step = STEP.match(match.group(1))
                moment = (clock.now() + timedelta(**{STEPS[step.group(2)]: int(step.group(1))}) if step
                          else datetime.fromisoformat(match.group(1)))
                clock.advance_to(moment)
            except ValueError:
                print(f"(Không đổi giờ được: “{match.group(1)}”. Dùng #time +3d, +2h, +30m hoặc "
                      "2026-12-05T07:00, với --now, và chỉ tiến lên.)\n", file=self.stdout)
                return True
            print(f"(Bây giờ là {clock.now():%d/%m/%Y %H:%M})\n", file=self.stdout)
            await self.sweep_all()
            return True
        return False

    async def run(self, stdin: TextIO = sys.stdin) -> None:
        interactive = stdin.isatty()
        self._ticking = None
        print("Trợ lý Chi bộ — kênh dòng lệnh. Gõ /trogiup để xem hướng dẫn, @đường-dẫn để gửi tệp, "
              "Ctrl+D để thoát.\n", file=self.stdout)
        sweeper = await self.start_reminders()  # before resuming, so the pending question stays last
        resumed = await self.assistant.resume(CHANNEL, self.user_id, self.user_id)
        if resumed:
            self.show(resumed)
            await self.assistant.delivered(CHANNEL, self.user_id, self.user_id)
        elif await self.assistant.store.account(CHANNEL, self.user_id) is None:
            print("Gõ /batdau để bắt đầu.\n", file=self.stdout)
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                print("> ", end="", file=self.stdout, flush=True)
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            line = line.rstrip("\n")
            if await self.directive(line.strip()):
                continue
            if CODE in line and self.last_code:
                line = line.replace(CODE, self.last_code)
            if not interactive:
                if not line.strip() or re.match(r"\s*#", line):
                    continue
                print(f"> {line}", file=self.stdout)
            if sweeper is not None:
                await self.sweep_all()
            await self.send(line)
        if self._ticking is not None:
            self._ticking.cancel()
        if interactive:
            print("\nTạm biệt! Các câu trả lời đã được lưu.", file=self.stdout)
