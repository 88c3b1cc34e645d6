-- Tasks without a lead cannot go back: give them one before reverting.
DROP TABLE meeting_documents;
ALTER TABLE tasks ALTER COLUMN lead_unit_id SET NOT NULL;
