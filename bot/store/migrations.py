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
    (
        3,
        "documents, number series, deadlines",
        """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            doc_type TEXT NOT NULL,
            series TEXT NOT NULL,
            number INTEGER,
            issued_on TEXT NOT NULL,
            title TEXT NOT NULL,
            answers TEXT NOT NULL,
            filename TEXT NOT NULL,
            content BLOB NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (unit_id, series, number)
        );
        CREATE INDEX documents_unit ON documents(unit_id, created_at);
        CREATE TABLE number_series (
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            series TEXT NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (unit_id, series)
        );
        CREATE TABLE deadlines (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('deadline', 'event', 'period')),
            title TEXT NOT NULL,
            due TEXT NOT NULL,
            start TEXT,
            at_time TEXT,
            assignee TEXT,
            document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
            source TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
            snoozed_until TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX deadlines_unit_due ON deadlines(unit_id, status, due);
        """,
    ),
    (
        4,
        "meetings and attendance",
        """
        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('thuong_ky', 'chuyen_de')),
            period_year INTEGER NOT NULL,
            period_month INTEGER NOT NULL,
            topic TEXT,
            held_on TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            answers TEXT NOT NULL,
            document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX meetings_unit ON meetings(unit_id, period_year, period_month);
        CREATE TABLE attendance (
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            person_name TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('present', 'excused', 'absent', 'exempt')),
            reason TEXT,
            PRIMARY KEY (meeting_id, person_name)
        );
        ALTER TABLE deadlines ADD COLUMN meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL;
        """,
    ),
    (
        5,
        "reminder log, recurring duties, linked groups",
        """
        CREATE TABLE reminder_log (
            key TEXT NOT NULL,
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            scheduled_for TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            sent_at TEXT,
            late INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (key, channel, chat_id)
        );
        CREATE INDEX reminder_log_unsent ON reminder_log(sent_at) WHERE sent_at IS NULL;
        CREATE TABLE duties (
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            duty TEXT NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (unit_id, duty)
        );
        ALTER TABLE chats ADD COLUMN linked INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE deadlines ADD COLUMN duty TEXT;
        ALTER TABLE deadlines ADD COLUMN duty_period TEXT;
        CREATE UNIQUE INDEX deadlines_duty ON deadlines(unit_id, duty, duty_period) WHERE duty IS NOT NULL;
        """,
    ),
    (
        6,
        "when a deadline was done",
        """
        ALTER TABLE deadlines ADD COLUMN done_at TEXT;
        """,
    ),
    (
        7,
        "a draft issued as a document, until its reply is delivered",
        """
        ALTER TABLE drafts ADD COLUMN document_id INTEGER REFERENCES documents(id) ON DELETE CASCADE;
        ALTER TABLE drafts ADD COLUMN delivered_at TEXT;
        """,
    ),
    (
        8,
        "invite times in UTC, wrong invite tries",
        """
        UPDATE invites SET
            created_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', created_at), created_at),
            expires_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', expires_at), '1970-01-01T00:00:00Z'),
            used_at = strftime('%Y-%m-%dT%H:%M:%SZ', used_at);
        CREATE TABLE invite_tries (
            account TEXT NOT NULL,
            tried_at TEXT NOT NULL
        );
        CREATE INDEX invite_tries_account ON invite_tries(account, tried_at);
        """,
    ),
    (
        9,
        "app settings (the link key), signed links to documents",
        """
        CREATE TABLE app_settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE links (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            document_id INTEGER REFERENCES documents(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX links_document ON links(document_id);
        """,
    ),
    (
        10,
        "one-time upload links: the chat a link was given in",
        """
        ALTER TABLE links ADD COLUMN channel TEXT;
        ALTER TABLE links ADD COLUMN chat_id TEXT;
        ALTER TABLE links ADD COLUMN user_id TEXT;
        """,
    ),
    (
        11,
        "the outbox: issued documents shared with the chats of a unit",
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            text TEXT NOT NULL,
            created_by TEXT,
            created_at TEXT NOT NULL,
            claimed_at TEXT,
            sent_at TEXT,
            UNIQUE (doc_id, channel, chat_id)
        );
        CREATE INDEX outbox_unsent ON outbox(channel, chat_id) WHERE sent_at IS NULL;
        """,
    ),
    (
        12,
        "link codes beside invite codes; the roster member and the person (across apps) of an account",
        """
        ALTER TABLE invites ADD COLUMN purpose TEXT NOT NULL DEFAULT 'join' CHECK (purpose IN ('join', 'link'));
        ALTER TABLE accounts ADD COLUMN person_id INTEGER REFERENCES people(id) ON DELETE SET NULL;
        ALTER TABLE accounts ADD COLUMN person_key TEXT;
        CREATE INDEX accounts_person ON accounts(unit_id, person_key) WHERE person_key IS NOT NULL;
        """,
    ),
    (
        13,
        "versions of an issued document: the current one in documents, the earlier ones kept beside it",
        """
        ALTER TABLE documents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE documents ADD COLUMN revised_at TEXT;
        ALTER TABLE documents ADD COLUMN revised_by TEXT;
        CREATE TABLE document_versions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            number INTEGER,
            issued_on TEXT NOT NULL,
            title TEXT NOT NULL,
            answers TEXT NOT NULL,
            filename TEXT NOT NULL,
            content BLOB NOT NULL,
            made_by TEXT NOT NULL,
            made_at TEXT NOT NULL,
            superseded_at TEXT NOT NULL,
            UNIQUE (document_id, version)
        );
        """,
    ),
    (
        14,
        "pictures served to Zalo by URL (a page of a draft, a chart): a random token, kept for a few days",
        """
        CREATE TABLE pictures (
            token TEXT PRIMARY KEY,
            unit_id INTEGER REFERENCES units(id) ON DELETE CASCADE,
            png BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX pictures_created ON pictures(created_at);
        """,
    ),
    (
        15,
        "roles: owner, manager, member (accounts joined before roles keep what they could do: manager); an invite "
        "names its role and, for a member, the roster member; the audit trail",
        """
        CREATE TABLE accounts_roles (
            channel TEXT NOT NULL,
            user_id TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'member')),
            display_name TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            person_key TEXT,
            PRIMARY KEY (channel, user_id)
        );
        INSERT INTO accounts_roles (channel, user_id, unit_id, role, display_name, created_at, person_id, person_key)
            SELECT channel, user_id, unit_id, CASE role WHEN 'owner' THEN 'owner' ELSE 'manager' END, display_name,
                   created_at, person_id, person_key
            FROM accounts;
        DROP TABLE accounts;
        ALTER TABLE accounts_roles RENAME TO accounts;
        CREATE INDEX accounts_person ON accounts(unit_id, person_key) WHERE person_key IS NOT NULL;
        CREATE INDEX accounts_unit ON accounts(unit_id, role);
        ALTER TABLE invites ADD COLUMN role TEXT NOT NULL DEFAULT 'manager' CHECK (role IN ('manager', 'member'));
        ALTER TABLE invites ADD COLUMN person_id INTEGER REFERENCES people(id) ON DELETE SET NULL;
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            actor_name TEXT NOT NULL DEFAULT '',
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_unit ON audit(unit_id, id);
        """,
    ),
    (
        16,
        "tasks reach their owner: the roster member a dated item is assigned to, and who marked it done",
        """
        ALTER TABLE deadlines ADD COLUMN person_id INTEGER REFERENCES people(id) ON DELETE SET NULL;
        ALTER TABLE deadlines ADD COLUMN done_by TEXT;
        ALTER TABLE deadlines ADD COLUMN done_by_name TEXT;
        CREATE INDEX deadlines_person ON deadlines(person_id, status) WHERE person_id IS NOT NULL;
        """,
    ),
    (
        17,
        "meeting notices: the notice of a meeting sent to the members, their answers, its sends (claim, confirm)",
        """
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('thuong_ky', 'chuyen_de')),
            meeting_on TEXT NOT NULL,
            meeting_at TEXT NOT NULL,
            place TEXT NOT NULL,
            topic TEXT NOT NULL DEFAULT '',
            agenda TEXT NOT NULL DEFAULT '[]',
            text TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX notices_unit ON notices(unit_id, meeting_on);
        CREATE TABLE notice_replies (
            notice_id INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            status TEXT NOT NULL CHECK (status IN ('attend', 'absent')),
            reason TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL,
            PRIMARY KEY (notice_id, person_id)
        );
        CREATE TABLE notice_sends (
            id INTEGER PRIMARY KEY,
            notice_id INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            private INTEGER NOT NULL DEFAULT 1,
            claimed_at TEXT,
            sent_at TEXT,
            UNIQUE (notice_id, channel, chat_id)
        );
        CREATE INDEX notice_sends_unsent ON notice_sends(channel, chat_id) WHERE sent_at IS NULL;
        """,
    ),
    (
        18,
        "join requests: a member who joined without a roster member says who she is; a manager confirms it",
        """
        CREATE TABLE join_requests (
            channel TEXT NOT NULL,
            user_id TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            PRIMARY KEY (channel, user_id),
            FOREIGN KEY (channel, user_id) REFERENCES accounts(channel, user_id) ON DELETE CASCADE
        );
        CREATE INDEX join_requests_unit ON join_requests(unit_id, created_at);
        """,
    ),
    (
        19,
        "messages to another account of the unit (a join request to its managers), sent by the sweep",
        """
        CREATE TABLE messages_out (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            text TEXT NOT NULL,
            choices TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            claimed_at TEXT,
            sent_at TEXT
        );
        CREATE INDEX messages_out_unsent ON messages_out(channel, chat_id) WHERE sent_at IS NULL;
        """,
    ),
    (
        20,
        "pictures in the order they were stored (PostgreSQL has no rowid): which are the newest to keep",
        """
        ALTER TABLE pictures ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
        """,
    ),
]

LATEST = MIGRATIONS[-1][0]
