-- Which VPS employees hold accounts in which VPS application (issue 3, MFA coverage).
-- Inputs: rows written by api/mfa/vps-accounts.store.ts: imports (POST /api/v1/mfa/accounts/import, source
-- 'import') and accounts learned from the event store (learnAccountsFromEvents, source 'events').
-- Outputs: table vps_app_accounts, read by api/mfa/mfa-coverage.service.ts together with users (kind
-- 'vps-employee', 0030-identity.sql) and user_factors (0031-factors.sql) by tenant and lower(username).
-- username is stored as given (no domain prefix); lookups compare lower(username). No person codes here.
CREATE TABLE vps_app_accounts (
  tenant       text        NOT NULL,
  username     text        NOT NULL,
  application  text        NOT NULL,
  role         text,
  source       text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz,
  CONSTRAINT vps_app_accounts_source CHECK (source IN ('import', 'events')),
  PRIMARY KEY (tenant, username, application)
);
-- Usernames differ in case between sources (AD "Anna.K" vs the application "anna.k"): one account per lower(name).
CREATE UNIQUE INDEX vps_app_accounts_lower ON vps_app_accounts (tenant, lower(username), application);
CREATE INDEX vps_app_accounts_app ON vps_app_accounts (tenant, application);
