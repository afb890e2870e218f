-- The watch list of detection (issue 4: "a watch-listed person's record opened").
-- Inputs: entries added with `sargs rules watchlist add` (cli/rules-watchlist.ts) through
-- core/stores/watchlist-store.ts: person codes are validated and pseudonymised with the deployment's key first.
-- Outputs: table watchlist_entries, read by detection/alerting.ts into the `sargs.watchlist` pseudo-field.
-- person holds the keyed pseudonym (pk_ + 32 hex), never a person code (the CHECK refuses anything else).
-- user_name limits an entry to one user (a staff member's own family), '' for every user.
CREATE TABLE watchlist_entries (
  id         text        PRIMARY KEY,
  list       text        NOT NULL,
  person     text        NOT NULL CHECK (person ~ '^pk_[0-9a-f]{32}$'),
  user_name  text        NOT NULL DEFAULT '',
  tenant     text        NOT NULL,
  note       text        NOT NULL DEFAULT '',
  created_by text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (list, person, user_name)
);
