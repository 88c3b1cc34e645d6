DROP TABLE inbox_visits;
