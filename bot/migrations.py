"""Numbered schema migrations, applied in order on start; the version is recorded in schema_migrations."""

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "units, people, accounts, chats, drafts",
        """
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            superior TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL,
            code TEXT NOT NULL,
            place TEXT NOT NULL,
            signer_name TEXT NOT NULL,
            signer_title TEXT NOT NULL,
            spelling TEXT NOT NULL DEFAULT 'ủy',
            settings TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL
        );
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('chinh_thuc', 'du_bi')),
            exempt INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX people_unit ON people(unit_id, position);
        CREATE TABLE accounts (
            channel TEXT NOT NULL,
            user_id TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
            display_name TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            PRIMARY KEY (channel, user_id)
        );
        CREATE TABLE chats (
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            chat_type TEXT NOT NULL DEFAULT 'private',
            unit_id INTEGER REFERENCES units(id) ON DELETE SET NULL,
            last_seen TEXT NOT NULL,
            PRIMARY KEY (channel, chat_id)
        );
        CREATE TABLE drafts (
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            flow TEXT NOT NULL,
            state TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (channel, chat_id, user_id)
        );
        """,
    ),
    (
        2,
        "invite codes",
        """
        CREATE TABLE invites (
            code TEXT PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_by TEXT,
            used_at TEXT
        );
        """,
    ),
]

LATEST = MIGRATIONS[-1][0]
