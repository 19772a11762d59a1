"""bench/telegram_webhooks.py end to end, short: `chibo serve` on SQLite (one worker) and the echo bot, each
fed over its real webhook by the harness, give a table with their rows. PostgreSQL rows are not run here."""

from __future__ import annotations

import pytest

from bench import telegram_webhooks


@pytest.mark.slow
def test_webhook_bench_measures_sqlite_worker_and_echo_bot(capsys):
    rows = telegram_webhooks.main(["--configs", "echo,sqlite-1", "--chats", "3", "--turns", "1", "--think", "0",
                                   "--time-limit", "20"])

    by_config = {r.config: r for r in rows}
    assert sorted(by_config) == ["echo", "sqlite-1"]
    for r in rows:
        assert not r.failed, r.failed
        assert r.messages == 3 and r.rate > 0 and r.reply_rate > 0
        assert r.posts == 3 and r.post_failures == 0  # each update reached the bot over its webhook
        assert not r.problems and not r.unfinished
    assert by_config["sqlite-1"].counts == [2]  # /batdau: the welcome and its question
    table = capsys.readouterr().out.split("Summary", 1)[1]
    lines = {line.split()[0]: line for line in table.splitlines() if line.startswith(("echo ", "sqlite-1 "))}
    assert sorted(lines) == ["echo", "sqlite-1"]
    assert "100%" in lines["echo"] and "not run" not in lines["sqlite-1"]
    assert telegram_webhooks.production_tuning().describe() in table  # the tuning is named
    assert "os.sched_getaffinity" in table and "30 messages/s" in table  # the ceiling notes
