-- The admin's edits to the working-day calendar: extra days off and make-up
-- working days the Government announces each year. The statutory public
-- holidays (Tết by the lunar calendar included) are computed, not stored.
CREATE TABLE holidays (
    day DATE PRIMARY KEY NOT NULL,
    working BOOLEAN NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
