-- Identity: Sargs user accounts, enrolment links, cookie sessions and login throttling (issue 3).
-- Inputs: rows written by api/auth/accounts/* and api/auth/sessions/*. Outputs: tables users, enrolment_links,
-- sessions, auth_throttle, read by the same modules (and by MFA coverage reports: users by tenant and kind).
-- Secrets are never stored in clear: password_hash is scrypt (`scrypt$N$r$p$salt$hash`), enrolment tokens and
-- session ids are stored as SHA-256 of 32 random bytes (base64url), so a database dump does not let anyone in.

-- kind: staff = a Sargs user | vps-employee = an employee of a VPS application whose factors serve the
-- validation API. status: enrolling (link issued, password and factor not yet set) | active | disabled.
CREATE TABLE users (
  id            text PRIMARY KEY,
  tenant        text        NOT NULL,
  username      text        NOT NULL,
  display_name  text        NOT NULL,
  email         text,
  kind          text        NOT NULL DEFAULT 'staff',
  password_hash text,
  status        text        NOT NULL DEFAULT 'enrolling',
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text,
  last_login_at timestamptz,
  CONSTRAINT users_kind CHECK (kind IN ('staff', 'vps-employee')),
  CONSTRAINT users_status CHECK (status IN ('enrolling', 'active', 'disabled'))
);
-- Usernames are unique per tenant, compared case-insensitively (the login form lower-cases them).
CREATE UNIQUE INDEX users_tenant_username ON users (tenant, lower(username));
CREATE INDEX users_tenant_status ON users (tenant, status);

-- One-time enrolment links: token_hash = SHA-256 of the token in the link; used_at set when enrolment completes.
CREATE TABLE enrolment_links (
  id          text PRIMARY KEY,
  user_id     text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash  text        NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_by  text        NOT NULL
);
CREATE INDEX enrolment_links_user ON enrolment_links (user_id);

-- Cookie sessions. stage: password (first factor only; reaches the second-factor endpoints) | full.
-- expires_at is the absolute timeout; last_seen_at drives the idle timeout; mfa_at is the last second-factor
-- check (step-up).
CREATE TABLE sessions (
  id_hash      text PRIMARY KEY,
  user_id      text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  mfa_at       timestamptz,
  stage        text        NOT NULL,
  ip           text,
  user_agent   text,
  CONSTRAINT sessions_stage CHECK (stage IN ('password', 'full'))
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed sign-in attempts per account (`user:<id>`, or `name:<tenant>/<username>` for unknown names so that
-- they behave alike) and per source address (`ip:<addr>`). Growing delays and lockouts: policies/auth.yaml.
CREATE TABLE auth_throttle (
  key             text PRIMARY KEY,
  failures        integer     NOT NULL DEFAULT 0,
  last_failure_at timestamptz,
  locked_until    timestamptz
);
