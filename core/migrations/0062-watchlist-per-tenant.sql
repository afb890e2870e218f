-- Watch lists are kept per tenant (issue 4; entries are added over HTTP by tenant security officers since 01.12.2026):
-- two municipalities may watch the same person on lists of the same name without one learning of the other's entry.
-- Inputs: watchlist_entries of 0061. Outputs: the same table, unique per (tenant, list, person, user_name).
ALTER TABLE watchlist_entries DROP CONSTRAINT watchlist_entries_list_person_user_name_key;
ALTER TABLE watchlist_entries ADD CONSTRAINT watchlist_entries_tenant_list_person_user_key UNIQUE (tenant, list, person, user_name);
