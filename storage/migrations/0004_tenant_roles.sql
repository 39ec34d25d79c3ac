-- Row writes run as the database's own role, which may add bookkeeping rows but not read or
-- change existing ones. Deleting a row whose id already has a trash entry (a row inserted
-- again under the id of a deleted one) replaces that entry: this trigger, owned by gqlbase's
-- role, removes the old entry, where ON CONFLICT DO UPDATE would need the tenant to read the
-- trash.
CREATE FUNCTION trash_replace() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    DELETE FROM public.trash WHERE table_id = NEW.table_id AND row_id = NEW.row_id;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION trash_replace() FROM PUBLIC;
CREATE TRIGGER trash_replace BEFORE INSERT ON trash FOR EACH ROW EXECUTE FUNCTION trash_replace();
