-- Second factors of users (api/auth/factors/): TOTP (RFC 6238), WebAuthn credentials, recovery codes, and the
-- server-side WebAuthn challenges. Inputs: rows written by FactorService. Outputs: tables user_factors,
-- totp_factors, webauthn_credentials, recovery_codes, webauthn_challenges.
-- user_id is the users.id of 0030-identity.sql; no foreign key, so factors can be created and tested on their own.
-- No secret is stored in clear: TOTP seeds are sealed with AES-256-GCM (core/secret-box.ts), recovery codes are
-- stored as SHA-256 hex of the normalised code, WebAuthn keeps only public keys.
CREATE TABLE user_factors (
  id           text        PRIMARY KEY,
  user_id      text        NOT NULL,
  method       text        NOT NULL CHECK (method IN ('totp', 'webauthn', 'recovery')),
  status       text        NOT NULL DEFAULT 'active' CHECK (status IN ('pending', 'active')), -- pending: TOTP not yet confirmed
  label        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  confirmed_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX user_factors_user ON user_factors (user_id, method);

-- last_used_step: RFC 6238 time step T of the last accepted code; a code whose step is <= it is a replay.
CREATE TABLE totp_factors (
  factor_id      text     PRIMARY KEY REFERENCES user_factors (id) ON DELETE CASCADE,
  secret_sealed  text     NOT NULL,
  algorithm      text     NOT NULL DEFAULT 'SHA1' CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
  digits         smallint NOT NULL DEFAULT 6 CHECK (digits IN (6, 8)),
  period         smallint NOT NULL DEFAULT 30 CHECK (period > 0),
  last_used_step bigint
);

-- credential_id and public_key are base64url; sign_count is the authenticator's signature counter (WebAuthn §6.1.1).
CREATE TABLE webauthn_credentials (
  factor_id     text    PRIMARY KEY REFERENCES user_factors (id) ON DELETE CASCADE,
  credential_id text    NOT NULL UNIQUE,
  public_key    text    NOT NULL,
  sign_count    bigint  NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
  transports    jsonb   NOT NULL DEFAULT '[]',
  backed_up     boolean NOT NULL DEFAULT false,
  device_type   text    NOT NULL DEFAULT 'singleDevice',
  aaguid        text
);

CREATE TABLE recovery_codes (
  factor_id text        NOT NULL REFERENCES user_factors (id) ON DELETE CASCADE,
  code_hash text        NOT NULL,
  used_at   timestamptz,
  PRIMARY KEY (factor_id, code_hash)
);

-- One row per generated options object; consumed once (used_at), refused after expires_at (5 minutes).
CREATE TABLE webauthn_challenges (
  id         text        PRIMARY KEY,
  user_id    text        NOT NULL,
  purpose    text        NOT NULL CHECK (purpose IN ('registration', 'authentication')),
  challenge  text        NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX webauthn_challenges_user ON webauthn_challenges (user_id, purpose);
