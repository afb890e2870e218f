-- Casbin policies of Sargs (issue 3, RBAC with domains; model in policies/rbac-model.conf).
-- Inputs: `p` lines written at every start from policies/roles.yaml (api/authz/authz.ts replaces them all);
-- `g` lines written by Authz.assignRole/removeRole (each change also in audit_log).
-- Outputs: table casbin_rule, read by api/authz/sql-adapter.ts into the in-memory enforcer.
-- ptype p: v0 role, v1 permission.  ptype g: v0 subject (user:<id> | token:<id>), v1 role, v2 tenant or *.
-- Unused columns hold '' (not NULL) so that the unique constraint makes every line occur once.
CREATE TABLE casbin_rule (
  id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ptype text NOT NULL,
  v0    text NOT NULL DEFAULT '',
  v1    text NOT NULL DEFAULT '',
  v2    text NOT NULL DEFAULT '',
  v3    text NOT NULL DEFAULT '',
  v4    text NOT NULL DEFAULT '',
  v5    text NOT NULL DEFAULT '',
  CONSTRAINT casbin_rule_line UNIQUE (ptype, v0, v1, v2, v3, v4, v5)
);
