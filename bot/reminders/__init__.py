"""Reminders, the Monday digest and recurring duties: what is due for which chat at `now`, sent once.

The package, by job: ``settings`` (a unit's reminder settings, quiet hours), ``calendar`` (working days,
``holiday_warning``), ``moments`` (when each reminder is due: ``plan_due``), ``texts`` (the messages),
``duties`` (recurring duties), ``pacer`` (pacing sends), ``sweeper`` (the sweep: ``Sweeper``) and ``shares``
(the sweep also delivers the outbox of shared documents, bot/sharing.py: same claim → send → confirm, no
quiet hours). The
SQL is in the store (``bot.store.reminders.RemindersStore``); the channels give the sweep their limits
(send rate, message length).

The truth is in two tables: `deadlines` (what has a date) and `reminder_log` (one row per reminder
*moment* and chat, primary key (key, channel, chat_id)). Nothing about what is due lives in memory: one
periodic sweep (a PTB JobQueue job on Telegram, an asyncio task on the console) recomputes it from the
tables at `now` and sends what the log does not hold yet.

Moments (all in the clock's time zone, per unit settings ``units.settings["reminders"]``):

* a dated item (deadline, event, period) is reminded ``days`` before its day (default 7 and 1) and on the
  day (``on_day``), each at the time of day ``time`` (default 07:00). Its day is the event's first day,
  else ``due``. Key ``dl:<id>:<day>:<n>`` (n days before), so changing the time of day never re-sends a
  reminder, while moving the item to another day gives it new reminders. A snoozed item
  (``snoozed_until``, a date or date-time) gets nothing before that instant, then one reminder at it
  (key ``dl:<id>:<day>:w<until>``). Done items, events already past, and the regular/thematic meeting
  duties whose meeting is logged in ``meetings`` get nothing.
* the digest "Việc tuần này": Monday at the time of day, key ``digest:<monday>``.
* the meeting rhythm notices of bot.rhythm.rhythm_notices (for units with a meeting duty on):
  daily at the time of day, key ``rhythm:<hash of the text>`` (the text is stable over its period).

Quiet hours (default 21:00-06:30): a moment inside them moves to their end (06:30); while a unit is in
its quiet hours nothing is sent to its chats, not even a retry.

Only the latest moment at or before `now` of an item counts (when the 1-day and on-the-day reminders were
both missed, only the on-the-day one goes), and only when it is within the last 3 days (``CATCH_UP``):
after downtime whatever was missed within 3 days is sent once, marked "(nhắc muộn)" when more than
``LATE_AFTER`` late; older ones are skipped. A moment before its item or its chat existed (``created_at``
of the deadline, of the secretary's account, the time a group was linked) is not "missed" and is not
sent. With a frozen clock (``--now``, ``CHIBO_NOW``) real creation times cannot be compared with the
clock, so there: things created before this process started have no such bound, things created while it
runs count as created at `now` (deterministic for tests and demos).

Recipients: the private chat of each owner account of the unit (the secretary; on Telegram and the console
a private chat's id is the user's id) and every chat linked with /lienket (``chats.linked = 1``; which unit
it belongs to is kept in that unit's settings, ``linked_at``, because ``chats.unit_id`` follows whoever
wrote in the group last).

Exactly once, as far as a non-idempotent Bot API allows — claim → send → confirm:

1. claim: for each due (key, chat) one ``INSERT … SELECT … WHERE <item still open> ON CONFLICT DO
   NOTHING`` into reminder_log with ``claimed_at`` set and ``sent_at`` NULL (``RemindersStore.claim_reminder``).
   It is a single statement, hence a single transaction that both decides (the item is still open, the
   key is not logged) and records; only a sweep whose insert changed a row sends. The store's connection
   is shared with the conversation handlers, so the sweep never holds a transaction open across awaits (a
   statement that lands while a handler's own transaction is open on that connection commits with it).
2. send the message (one message per row: texts are cut to the channel's budget, so a row is never
   half-sent);
3. confirm: ``sent_at`` is written right after the response, with no other await in between
   (``RemindersStore.confirm_reminder``).

A crash between 1 and 2 leaves a row claimed and unconfirmed: every sweep looks again at such rows when
they were claimed before this process started (a crashed or earlier process) or by this process and not
confirmed (a transient error: network, 5xx, flood control after the rate limiter's retries). A resend
follows the rules of a new claim at the sweep's `now` (``Sweeper._pending``): the row goes again only when
plan_due finds its (key, chat) due now — item still open, not snoozed past now, the moment still the
item's latest at or before now and within ``CATCH_UP``, the digest of this week, a rhythm notice that
still stands, the chat still a recipient. Any other unconfirmed row is stale and deleted unsent (counted
as ``skipped``; the log then holds only what was sent or is being sent), and what is due for its item now
is claimed as new: one message per item and chat, for its latest moment, however long the bot was down.
During a chat's quiet hours its rows wait undecided. So a reminder due now is never lost. The only window for a duplicate is between the server accepting a message and the ``sent_at`` write
landing (a kill in that window, or a timed-out request that did reach the server): it is one HTTP
response plus one SQLite write long. A chat that refuses a message for good (403 blocked or kicked, 400
chat not found: the sender raises ``Undeliverable``) is given up for this process: its row is deleted and
the pair is not retried until a restart. ``sent_at`` is durable against a process crash (WAL); with
``synchronous = NORMAL`` an OS crash could lose the last confirmations, which then are resent.

Sending is paced by the sweep itself (``Pacer``: at most ``rate`` sends in flight or finished within the
last second; the Telegram channel passes its ``TELEGRAM_RATE`` = 30) under the bot's AIORateLimiter: that
limiter lets a burst of 30 through and then 30/s, which a server counting a sliding second sees as up to
60, and after a 429 it pauses every request and then releases them together. Chats are served
concurrently (``concurrency``), the messages of one chat in order. When the bot stops (``keep_going``), no
new send starts; those in flight finish and are confirmed.

Recurring duties (table ``duties``): the regular meeting (monthly), the thematic meeting (at least once a
quarter), party dues (monthly), the year-end review (plan by the end of November, done by the end of
December). Switching one on creates its deadlines for the current period and the next (the unique index
``deadlines_duty`` keeps this idempotent); every sweep on a new day creates the periods that became
current. Weekends and Vietnamese public holidays (package ``holidays``, lunar New Year included) give a
warning with the nearest working day: ``holiday_warning``.

Test hook: ``CHIBO_NOW`` (ISO date-time) freezes the sweep's clock in ``chibo telegram`` (only the sweep's;
see ``sweeper.sweep_clock``), for the restart test that runs the bot as a real process.
"""
